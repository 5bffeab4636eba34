namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// Finds atmos.yaml (SPEC §1): <c>--config FILE</c>, then <c>$ATMOS_CLI_CONFIG_PATH</c> (a folder holding atmos.yaml),
/// then <c>./atmos.yaml</c>, then <c>~/.atmos/atmos.yaml</c>.
/// </summary>
public static class ConfigDiscovery
{
    /// <summary>The file name looked for in folders.</summary>
    public const string FileName = "atmos.yaml";

    /// <summary>The path to read, or a one-line error naming every place looked in and the fix.</summary>
    /// <param name="explicitPath">The <c>--config</c> value, or null.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="workingDirectory">The current folder.</param>
    /// <param name="home">The home folder.</param>
    /// <param name="error">Set when nothing usable was found.</param>
    public static string? Find(string? explicitPath, IReadOnlyDictionary<string, string> environment, string workingDirectory, string home, out string? error)
    {
        error = null;
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (explicitPath.Contains('\0', StringComparison.Ordinal))
            {
                error = "--config contains a NUL character; pass the path of an existing atmos.yaml";
                return null;
            }

            var full = Path.GetFullPath(PathExpansion.ExpandTilde(explicitPath, home) ?? explicitPath, workingDirectory);
            if (File.Exists(full))
            {
                return full;
            }

            error = Directory.Exists(full)
                ? $"--config {explicitPath} is a folder; pass the atmos.yaml file itself"
                : $"--config {explicitPath} does not exist; pass the path of an existing atmos.yaml";
            return null;
        }

        var candidates = new List<string>();
        if (environment.TryGetValue("ATMOS_CLI_CONFIG_PATH", out var folder) && !string.IsNullOrWhiteSpace(folder))
        {
            var fromEnvironment = Path.GetFullPath(PathExpansion.ExpandTilde(folder, home) ?? folder, workingDirectory);
            candidates.Add(File.Exists(fromEnvironment) && !Directory.Exists(fromEnvironment) ? fromEnvironment : Path.Combine(fromEnvironment, FileName));
        }

        candidates.Add(Path.Combine(workingDirectory, FileName));
        candidates.Add(Path.Combine(home, ".atmos", FileName));
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        error = $"no atmos.yaml found (looked in {string.Join(", ", candidates)}); pass --config FILE or set ATMOS_CLI_CONFIG_PATH to the folder holding it";
        return null;
    }
}
