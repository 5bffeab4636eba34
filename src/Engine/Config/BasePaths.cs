namespace Atmos.Plugins.Engine.Config;

/// <summary>Resolves where a provider's files live (SPEC §2).</summary>
public static class BasePaths
{
    /// <summary>
    /// The base folder for a provider: its <c>spec.files.base_path</c> (tilde expanded; a relative path is relative to
    /// the folder of atmos.yaml, never to the current folder), else <c>&lt;config home&gt;/atmos/&lt;cloud&gt;</c>.
    /// </summary>
    /// <param name="basePath">The configured base path, or null.</param>
    /// <param name="cloud">The plugin's cloud folder name.</param>
    /// <param name="context">Home, environment and config location.</param>
    /// <returns>The folder and whether it is the default.</returns>
    public static (string Folder, bool IsDefault) Resolve(string? basePath, string cloud, PathContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (basePath is null)
        {
            return (DefaultFor(cloud, context), true);
        }

        var expanded = PathExpansion.ExpandTilde(basePath.Trim(), context.Home) ?? basePath;
        var anchor = context.ConfigFolder ?? context.WorkingDirectory;
        return (Path.TrimEndingDirectorySeparator(Path.GetFullPath(expanded, anchor)), false);
    }

    /// <summary><c>&lt;config home&gt;/atmos/&lt;cloud&gt;</c>.</summary>
    /// <param name="cloud">The plugin's cloud folder name.</param>
    /// <param name="context">Home and environment.</param>
    public static string DefaultFor(string cloud, PathContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Path.Join(PathExpansion.ConfigHome(context.Environment, context.Home), "atmos", cloud);
    }

    /// <summary>The problem with a configured base path (SPEC §2 validation rules), or null when it is usable.</summary>
    /// <param name="basePath">The value as written.</param>
    /// <param name="home">The home folder, for tilde expansion.</param>
    public static string? Problem(string basePath, string home)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        if (string.IsNullOrWhiteSpace(basePath))
        {
            return "spec.files.base_path is empty; remove it to use the default (~/.config/atmos/<cloud>) or give a folder";
        }

        if (basePath.IndexOfAny(['\0', '\r', '\n']) >= 0)
        {
            return "spec.files.base_path contains a NUL byte, carriage return or newline; write it on one line";
        }

        if (PathExpansion.ExpandTilde(basePath.Trim(), home) is null)
        {
            return $"spec.files.base_path '{basePath}': tilde expansion failed (only ~ and ~/... are supported); write the full path";
        }

        return null;
    }
}

/// <summary>What path resolution needs to know about this process.</summary>
/// <param name="Home">The home folder.</param>
/// <param name="WorkingDirectory">The current folder.</param>
/// <param name="ConfigFolder">The folder holding atmos.yaml, when read from a file.</param>
/// <param name="Environment">The process environment.</param>
public sealed record PathContext(string Home, string WorkingDirectory, string? ConfigFolder, IReadOnlyDictionary<string, string> Environment);
