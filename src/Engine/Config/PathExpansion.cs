namespace Atmos.Plugins.Engine.Config;

/// <summary>Tilde expansion and the XDG folders atmos uses.</summary>
public static class PathExpansion
{
    /// <summary>
    /// Expands a leading <c>~</c> or <c>~/</c> to <paramref name="home"/>. Returns null when expansion is impossible:
    /// <c>~otheruser/...</c>, or an empty home.
    /// </summary>
    /// <param name="path">The path as written.</param>
    /// <param name="home">The home folder.</param>
    public static string? ExpandTilde(string path, string home)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('~'))
        {
            return path;
        }

        if (string.IsNullOrEmpty(home))
        {
            return null;
        }

        if (path.Length == 1)
        {
            return home;
        }

        return path[1] is '/' or '\\' ? Path.Join(home, path[2..]) : null;
    }

    /// <summary>
    /// The config home atmos files live under (SPEC §2): <c>$ATMOS_XDG_CONFIG_HOME</c>, else <c>$XDG_CONFIG_HOME</c>,
    /// else <c>~/.config</c>.
    /// </summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    public static string ConfigHome(IReadOnlyDictionary<string, string> environment, string home) =>
        FirstAbsolute(environment, home, "ATMOS_XDG_CONFIG_HOME", "XDG_CONFIG_HOME") ?? Path.Join(home, ".config");

    /// <summary><c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    public static string CacheHome(IReadOnlyDictionary<string, string> environment, string home) =>
        FirstAbsolute(environment, home, "ATMOS_XDG_CACHE_HOME", "XDG_CACHE_HOME") ?? Path.Join(home, ".cache");

    /// <summary><c>$XDG_DATA_HOME</c> or <c>~/.local/share</c>.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    public static string DataHome(IReadOnlyDictionary<string, string> environment, string home) =>
        FirstAbsolute(environment, home, "ATMOS_XDG_DATA_HOME", "XDG_DATA_HOME") ?? Path.Join(home, ".local", "share");

    /// <summary><c>$XDG_STATE_HOME</c> or <c>~/.local/state</c>.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    public static string StateHome(IReadOnlyDictionary<string, string> environment, string home) =>
        FirstAbsolute(environment, home, "ATMOS_XDG_STATE_HOME", "XDG_STATE_HOME") ?? Path.Join(home, ".local", "state");

    // The XDG spec says relative values are invalid and must be ignored.
    private static string? FirstAbsolute(IReadOnlyDictionary<string, string> environment, string home, params string[] names)
    {
        foreach (var name in names)
        {
            if (environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                var expanded = ExpandTilde(value, home);
                if (expanded is not null && Path.IsPathFullyQualified(expanded))
                {
                    return expanded;
                }
            }
        }

        return null;
    }
}
