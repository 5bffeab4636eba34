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
        : this(path, problem, "unsafe path")
    {
    }

    /// <summary>Creates the exception with the few words a step's line shows after "refused: ".</summary>
    /// <param name="path">The offending path.</param>
    /// <param name="problem">Why it is refused, as a sentence that follows the path ("is a FIFO (named pipe), ...").</param>
    /// <param name="reason">A few words: "unsafe path", "not a regular file", "too large", "mount point".</param>
    public UnsafePathException(string path, string problem, string reason)
        : base($"{path} {problem}")
    {
        FilePath = path;
        Problem = problem;
        Reason = reason;
    }

    /// <summary>A few words for the step's line, after "refused: " ("unsafe path" unless said otherwise).</summary>
    public string Reason { get; }

    /// <summary>The offending path.</summary>
    public string FilePath { get; }

    /// <summary>Why it is refused.</summary>
    public string Problem { get; }
}

/// <summary>
/// The file system refused a change for a reason of its own — read-only, full, over quota, an I/O error — named at
/// once (never waited on, never blamed on another process), with the fix.
/// </summary>
public sealed class FileSystemErrorException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file or folder being changed.</param>
    /// <param name="reason">A few words: "read-only file system", "no space left on device"...</param>
    /// <param name="fix">What to do about it.</param>
    public FileSystemErrorException(string path, string reason, string fix)
        : base($"{path}: {reason}")
    {
        FilePath = path;
        Reason = reason;
        Fix = fix;
    }

    /// <summary>The file or folder being changed.</summary>
    public string FilePath { get; }

    /// <summary>A few words: "read-only file system", "no space left on device", "disk quota exceeded"...</summary>
    public string Reason { get; }

    /// <summary>What to do about it.</summary>
    public string Fix { get; }
}
