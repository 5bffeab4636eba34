namespace Atmos.Plugins.Tests.Support;

/// <summary>Finds helper programs, so tests that need them can skip with a reason when they are missing.</summary>
public static class Tools
{
    /// <summary>The full path of <paramref name="program"/> (a path, or a name looked up on PATH), or null.</summary>
    public static string? Find(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Join(folder, program))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The names in <paramref name="names"/> that are not on PATH.</summary>
    public static IReadOnlyList<string> Missing(params string[] names) => names.Where(name => Find(name) is null).ToList();

    /// <summary>Why a test that needs <paramref name="program"/> is skipped, or null when the program is there.</summary>
    public static string? SkipReason(string program, string package) =>
        Find(program) is null ? $"{program} is not installed (Debian package {package}); .ci/run installs it" : null;
}

/// <summary>A fact that runs only when a program (a path, or a name on PATH) is installed; otherwise it is skipped with the reason shown.</summary>
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(string program, string package) => Skip = Tools.SkipReason(program, package);
}

/// <summary>A theory that runs only when a program (a path, or a name on PATH) is installed; otherwise it is skipped with the reason shown.</summary>
public sealed class RequiresProgramTheoryAttribute : TheoryAttribute
{
    public RequiresProgramTheoryAttribute(string program, string package) => Skip = Tools.SkipReason(program, package);
}
