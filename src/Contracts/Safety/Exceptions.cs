namespace Atmos.Plugins.Contracts.Safety;

/// <summary>A file is not in the format expected; it was left untouched.</summary>
public sealed class MalformedFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file (may be empty when parsing in memory).</param>
    /// <param name="line">The 1-based line of the problem, or 0 when not tied to a line.</param>
    /// <param name="problem">What is wrong, such as "line is neither a section, a key = value pair nor a comment".</param>
    public MalformedFileException(string path, int line, string problem)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}")
    {
        FilePath = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line, or 0.</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}

/// <summary>A path would leave the base folder, follow a symbolic link, or is not the kind of entry expected.</summary>
public sealed class UnsafePathException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The offending path.</param>
    /// <param name="problem">Why it is refused.</param>
    public UnsafePathException(string path, string problem)
        : base($"{path} {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The offending path.</summary>
    public string FilePath { get; }

    /// <summary>Why it is refused.</summary>
    public string Problem { get; }
}
