using Atmos.Plugins.Contracts;

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
        return Path.Join(AtmosConfigHome(context), cloud);
    }

    /// <summary>atmos's config root (REAL-ATMOS "CONFIG"): <c>${ATMOS_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-~/.config}}/atmos</c>.</summary>
    /// <param name="context">Home and environment.</param>
    public static string AtmosConfigHome(PathContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Path.Join(PathExpansion.ConfigHome(context.Environment, context.Home), "atmos");
    }

    /// <summary>
    /// Every default base folder of a cloud, current first: <c>CONFIG/[&lt;realm&gt;/]&lt;cloud&gt;</c>, then with a realm the
    /// legacy <c>CONFIG/&lt;cloud&gt;</c>.
    /// </summary>
    /// <param name="cloud">The plugin's cloud folder name.</param>
    /// <param name="realm">The run's realm (valid), or null.</param>
    /// <param name="context">Home and environment.</param>
    public static IReadOnlyList<string> DefaultFolders(string cloud, string? realm, PathContext context)
    {
        var config = AtmosConfigHome(context);
        return realm is null ? [Path.Join(config, cloud)] : [Path.Join(config, realm, cloud), Path.Join(config, cloud)];
    }

    /// <summary>
    /// Every folder an atmos version (v1.199 to today) put a provider's files in, current layout first, each distinct
    /// (REAL-ATMOS §4): with a base_path <c>B</c>, <c>B/[r/]&lt;cloud&gt;/&lt;p&gt;</c> (current), <c>B/&lt;cloud&gt;/&lt;p&gt;</c>
    /// (no realm), <c>CONFIG/[r/]&lt;cloud&gt;/&lt;p&gt;</c> and <c>CONFIG/&lt;cloud&gt;/&lt;p&gt;</c> (where identities write since
    /// v1.206), <c>B/&lt;p&gt;</c> (v1.199 to v1.205); without one, <c>CONFIG/[r/]&lt;cloud&gt;/&lt;p&gt;</c> then
    /// <c>CONFIG/&lt;cloud&gt;/&lt;p&gt;</c>. A legacy folder that is, or holds, another entry's base folder (a provider
    /// named like its cloud or realm: <c>B/aws</c> for provider <c>aws</c>) is left out: deleting it would delete other
    /// providers' folders.
    /// </summary>
    /// <param name="provider">The provider's name (a valid path segment).</param>
    /// <param name="basePath">Its configured base path as written, or null.</param>
    /// <param name="cloud">Its plugin's cloud folder name.</param>
    /// <param name="realm">The run's realm (valid), or null.</param>
    /// <param name="context">Home, environment and config location.</param>
    /// <param name="defaults"><see cref="DefaultFolders"/> of <paramref name="cloud"/> and <paramref name="realm"/>, when the caller has them already (the same for every provider of a run).</param>
    public static IReadOnlyList<ProviderFolder> Folders(string provider, string? basePath, string cloud, string? realm, PathContext context, IReadOnlyList<string>? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        // atmos lower-cases names when it loads its config; a folder written by an older version may keep the written case.
        var names = NameForms(provider);
        var candidates = new List<ProviderFolder>(5 * names.Count);
        void Add(string baseFolder, FolderLayout layout)
        {
            foreach (var name in names)
            {
                var folder = Path.Join(baseFolder, name);
                if (!candidates.Exists(c => c.Folder == folder))
                {
                    candidates.Add(new ProviderFolder(baseFolder, folder, layout));
                }
            }
        }

        defaults ??= DefaultFolders(cloud, realm, context);
        if (basePath is null)
        {
            Add(defaults[0], FolderLayout.Current);
            if (realm is not null)
            {
                Add(defaults[1], FolderLayout.NoRealm);
            }
        }
        else
        {
            var root = Resolve(basePath, cloud, context).Folder;
            Add(realm is null ? Path.Join(root, cloud) : Path.Join(root, realm, cloud), FolderLayout.Current);
            if (realm is not null)
            {
                Add(Path.Join(root, cloud), FolderLayout.NoRealm);
            }

            foreach (var folder in defaults)
            {
                Add(folder, FolderLayout.IdentityDefault);
            }

            Add(root, FolderLayout.BasePathV1199);
        }

        // The current folder always stays; a legacy one never swallows another layout's base folder.
        return candidates.Where((c, i) => i == 0 || !candidates.Exists(o => IsSameOrInside(o.BaseFolder, c.Folder))).ToList();
    }

    /// <summary>A name as atmos keeps it (lower case) and, when different, as written.</summary>
    /// <param name="name">The name as written in atmos.yaml.</param>
    public static IReadOnlyList<string> NameForms(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.ToLowerInvariant();
        return lower == name ? [name] : [lower, name];
    }

    private static bool IsSameOrInside(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

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
