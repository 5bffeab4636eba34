using Atmos.Plugins.Engine.Config;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>
/// A folder (or file) outside a plugin's own roots that its manifest entry lets it change, with the reason the user is
/// shown (<c>atmos plugins list</c>). Written as an absolute path, <c>~/...</c>, or relative to atmos's own folders:
/// <c>{config}/...</c>, <c>{cache}/...</c>, <c>{data}/...</c> (<c>&lt;config home&gt;/atmos</c> and so on, with the same
/// variables a run resolves them with).
/// </summary>
/// <param name="Path">The path as written in the manifest.</param>
/// <param name="Reason">Why the plugin must change it.</param>
public sealed record PluginGrant(string Path, string Reason)
{
    private static readonly string[] Anchors = ["{config}", "{cache}", "{data}"];

    /// <summary>Why a grant's path cannot be used, or null: it must be absolute or anchored, and name no <c>.</c>/<c>..</c> segment.</summary>
    /// <param name="path">The path as written.</param>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.IndexOfAny(['\0', '\r', '\n']) >= 0)
        {
            return $"path '{path.ReplaceLineEndings(" ")}' holds a NUL byte or a line break";
        }

        var anchored = path.StartsWith("~/", StringComparison.Ordinal) || Anchors.Any(a => path == a || path.StartsWith(a + "/", StringComparison.Ordinal));
        if (!anchored && !System.IO.Path.IsPathFullyQualified(path))
        {
            return $"path '{path}' is neither absolute nor starts with ~/, {{config}}, {{cache}} or {{data}}";
        }

        if (path.Split('/', '\\').Any(segment => segment is "." or ".."))
        {
            return $"path '{path}' has '.' or '..' segments";
        }

        return null;
    }

    /// <summary>
    /// The absolute path this grant names for a run, or null when it names the home folder, a folder above it, or the
    /// root (a grant that large is never honoured).
    /// </summary>
    /// <param name="paths">The run's home and environment.</param>
    public string? Resolve(PathContext paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var resolved = Path switch
        {
            _ when Path.StartsWith("{config}", StringComparison.Ordinal) => System.IO.Path.Join(PathExpansion.ConfigHome(paths.Environment, paths.Home), "atmos", Path["{config}".Length..]),
            _ when Path.StartsWith("{cache}", StringComparison.Ordinal) => System.IO.Path.Join(PathExpansion.CacheHome(paths.Environment, paths.Home), "atmos", Path["{cache}".Length..]),
            _ when Path.StartsWith("{data}", StringComparison.Ordinal) => System.IO.Path.Join(PathExpansion.DataHome(paths.Environment, paths.Home), "atmos", Path["{data}".Length..]),
            _ => PathExpansion.ExpandTilde(Path, paths.Home),
        };
        if (resolved is null || !System.IO.Path.IsPathFullyQualified(resolved))
        {
            return null;
        }

        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(resolved));
        var home = System.IO.Path.TrimEndingDirectorySeparator(paths.Home);
        var isRoot = System.IO.Path.GetPathRoot(full) == full || System.IO.Path.GetPathRoot(full) == full + System.IO.Path.DirectorySeparatorChar;
        return isRoot || full == home || home.StartsWith(full + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) ? null : full;
    }
}
