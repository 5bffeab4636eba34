using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>
/// Checks a plugin's step before it becomes part of a plan: well-formed, and touching only paths a logout may touch.
/// Plugins are third-party code; this is the host's own line of defence for SPEC §4 ("deletes stay inside the
/// resolved base folder"; "never touched: ~/.aws/credentials, ~/.aws/config, ~/.azure, ~/.config/gcloud, atmos.yaml").
/// </summary>
public static class StepGuard
{
    /// <summary>Why the step is refused, or null when it is acceptable.</summary>
    /// <param name="step">The plugin's step (may be null: plugins can return garbage).</param>
    /// <param name="baseFolders">The folders the plugin may write in besides the home folder: its providers' base folders, its default base folder, atmos' XDG cache and data folders.</param>
    /// <param name="context">Home and config locations.</param>
    public static string? Problem(FileStep? step, IReadOnlyList<string> baseFolders, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(baseFolders);
        ArgumentNullException.ThrowIfNull(context);
        if (step is null)
        {
            return "a null step";
        }

        if (string.IsNullOrWhiteSpace(step.Action))
        {
            return "a step without an action";
        }

        if (step.Principals is null || step.Principals.Count == 0 || step.Principals.Any(string.IsNullOrWhiteSpace))
        {
            return $"step '{step.Action}' names no identity or provider";
        }

        if (step.Paths is null || step.Arguments is null)
        {
            return $"step '{step.Action}' has null paths or arguments";
        }

        var home = Path.TrimEndingDirectorySeparator(context.Paths.Home);
        var protectedExact = new List<string>
        {
            Path.Join(home, ".aws", "credentials"),
            Path.Join(home, ".aws", "config"),
        };
        if (context.Config.SourcePath is { } configFile)
        {
            protectedExact.Add(configFile);
        }

        var protectedTrees = new[] { Path.Join(home, ".azure"), Path.Join(home, ".config", "gcloud"), Path.Join(home, ".ssh") };
        foreach (var path in step.Paths.Prepend(step.Target))
        {
            if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
            {
                return $"step '{step.Action}' has a path that is not absolute: '{path}'";
            }

            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            if (full != Path.TrimEndingDirectorySeparator(path) && full + Path.DirectorySeparatorChar != path)
            {
                return $"step '{step.Action}' has a path with '.' or '..' segments: '{path}'";
            }

            var insideBase = baseFolders.Any(b => IsInside(full, b));
            if (!insideBase && !IsInside(full, home))
            {
                return $"step '{step.Action}' would touch {full}, outside the home folder and the provider's base folder";
            }

            if (!insideBase && (protectedExact.Contains(full) || protectedTrees.Any(t => full == t || IsInside(full, t) || IsInside(t, full))))
            {
                return $"step '{step.Action}' would touch {full}, which logout never changes";
            }

            if (IsInside(home, full) || full == home)
            {
                return $"step '{step.Action}' would touch the home folder itself or a folder above it ({full})";
            }
        }

        return null;
    }

    // No string built per check: a thousand paths against a few roots each were ten thousand concatenations.
    private static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(folder.AsSpan());
        return path.Length > root.Length && path[root.Length] == Path.DirectorySeparatorChar && path.AsSpan().StartsWith(root, StringComparison.Ordinal);
    }
}
