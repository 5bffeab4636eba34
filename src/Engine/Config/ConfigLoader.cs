using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// Reads every atmos.yaml real atmos reads and merges them as atmos's <c>LoadConfig</c> does (REAL-ATMOS.md §7;
/// <c>pkg/config/load.go</c>, <c>imports.go</c>, <c>profiles.go</c>): the main files <see cref="ConfigDiscovery"/>
/// finds, each with its <c>.atmos.d/</c> and <c>atmos.d/</c> files and its <c>import:</c>s (paths and globs, nested,
/// provisioned identities first), then the profiles. Only what the auth commands need is kept from each file
/// (<c>auth</c>, and <c>import</c>, <c>base_path</c> and <c>profiles</c>, which decide what else is read); YAML
/// functions are evaluated there and nowhere else. Every file is parsed once.
/// </summary>
public sealed class ConfigLoader
{
    /// <summary>How deep imports may nest (atmos's <c>MaximumImportLvL</c>).</summary>
    public const int MaxImportDepth = 10;

    /// <summary>The file atmos writes a provider's auto-provisioned identities to, under <c>CACHE/auth/&lt;provider&gt;/</c>.</summary>
    public const string ProvisionedFileName = "provisioned-identities.yaml";

    private static readonly string[] KeptKeys = ["auth", "import", "base_path", "profiles"];

    // Schemes atmos fetches imports from (its go-getter adapter); offline they are skipped with a warning.
    private static readonly string[] RemoteSchemes = ["http://", "https://", "git::", "git@", "s3::", "s3://", "gcs::", "gcs://", "oci://", "file://", "hg::", "scp://", "sftp://", "github.com/", "bitbucket.org/", "mock://"];

    private readonly ConfigRequest _request;
    private readonly ConfigLocations _locations = new(defaultFile: null);
    private readonly List<ConfigProblem> _problems = [];
    private readonly List<string> _read = [];
    private readonly Dictionary<string, PreparedFile?> _prepared = new(StringComparer.Ordinal);
    private readonly YamlFunctions _functions;
    private readonly FunctionContext _context;
    private string? _configFolder;
    private bool _withProfiles = true;

    private ConfigLoader(ConfigRequest request)
    {
        _request = request;
        _context = new FunctionContext(request.Environment, request.WorkingDirectory, request.RunCommands, FunctionContext.DefaultCommandTimeout) { Display = request.Display };
        _functions = new YamlFunctions(_context, _locations, _problems);
    }

    /// <summary>Finds, reads and merges the configuration, and reads its <c>auth:</c> section.</summary>
    /// <param name="request">Flags and process.</param>
    public static AuthConfig Load(ConfigRequest request)
    {
        var merged = Merge(request);
        var config = AuthConfigLoader.Read(merged.Root, merged.Locations, merged.Failed, merged.Problems);
        return config with { SourcePath = merged.MainFile, Files = merged.Files };
    }

    /// <summary>The profiles that exist in atmos's profile folders for this configuration, sorted.</summary>
    /// <param name="request">Flags and process.</param>
    public static IReadOnlyList<string> AvailableProfiles(ConfigRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var loader = new ConfigLoader(request) { _withProfiles = false };
        var root = loader.Run().Root;
        var basePath = ConfigMerge.Child(ConfigMerge.Child(root, "profiles"), "base_path") is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
        return ProfilesIn(loader.ProfileFolders(basePath));
    }

    /// <summary>Finds, reads and merges the configuration into one tree (see <see cref="MergedConfig"/>).</summary>
    /// <param name="request">Flags and process.</param>
    public static MergedConfig Merge(ConfigRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ConfigLoader(request).Run();
    }

    private MergedConfig Run()
    {
        var mains = ConfigDiscovery.Find(_request, out var error, out var searched);
        if (error is not null)
        {
            return Result(null, ConfigProblem.Error(null, error));
        }

        YamlMappingNode? global = null;
        string? mainFile = null;
        foreach (var main in mains)
        {
            global = main.Mode switch
            {
                MergeMode.Alone => MergeAlone(global, main.Path),
                MergeMode.Direct => MergeDirect(global, main.Path),
                _ => MergeGroup(global, main.Path),
            };
            mainFile = main.Path;
            _configFolder = Path.GetDirectoryName(main.Path);
        }

        if (mains.Count == 0)
        {
            // atmos falls back to its defaults and still reads the Git root's .atmos.d (custom commands and auth there
            // work from any subfolder).
            if (_context.Git?.Root is { } root)
            {
                foreach (var file in AtmosD(root))
                {
                    global = MergeFile(global, file);
                }
            }

            if (_read.Count == 0)
            {
                return Result(null, ConfigProblem.Error(null, $"no atmos.yaml found (looked in {string.Join(", ", searched.Select(_request.Display))}); pass --config FILE or --config-path DIR, or set ATMOS_CLI_CONFIG_PATH to the folder holding it"));
            }
        }

        if (_withProfiles)
        {
            global = LoadProfiles(global);
        }

        global = WithIdentitiesAsAtmosReadsThem(global);
        return Result(global, null, mainFile);
    }

    private MergedConfig Result(YamlMappingNode? root, ConfigProblem? problem, string? mainFile = null)
    {
        if (problem is not null)
        {
            _problems.Insert(0, problem);
        }

        return new MergedConfig(root, _locations, _functions.Failed, _problems, _read, mainFile);
    }

    // The system file: read alone (atmos's readSystemConfig passes processImports=false).
    private YamlMappingNode? MergeAlone(YamlMappingNode? global, string path) => MergeFile(global, path);

    // atmos's mergeConfig with imports: the .atmos.d files, the file, its imports, then the file again, so the file wins
    // over everything it pulls in; the group then merges over what earlier main files gave. The file is merged once, over
    // the .atmos.d files and the imports: the same result as atmos's merge-reapply, except that an !append list of the
    // file is appended once, not twice.
    private YamlMappingNode? MergeGroup(YamlMappingNode? global, string path)
    {
        var main = Prepare(path, lenient: false);
        if (main is null)
        {
            return global;
        }

        Track(path);
        YamlMappingNode? defaults = null;
        foreach (var file in AtmosD(Path.GetDirectoryName(path)!))
        {
            defaults = MergeFile(defaults, file);
        }

        // The import list and base_path are the file's as merged over its .atmos.d files.
        var withMain = Merge(defaults, main);
        // The base path only matters for imports, and finding it may look for the Git root: only when there are some.
        var imports = ImportsOf(withMain);
        var imported = imports.Count == 0 ? defaults : MergeImports(defaults, imports, BasePathFor(withMain, Path.GetDirectoryName(path)!), [path]);
        var group = ReferenceEquals(imported, defaults) ? withMain : Merge(imported, main);
        return global is null ? group : ConfigMerge.Merge(global, group, _locations, hasDirectives: false);
    }

    // A --config file (atmos's mergeFiles): merged straight into the config, then the imports the config lists so far.
    private YamlMappingNode? MergeDirect(YamlMappingNode? global, string path)
    {
        global = MergeFile(global, path);
        if (global is null)
        {
            return null;
        }

        var imports = ImportEntries(ConfigMerge.Child(global, "import")).ToList();
        var all = WithProvisioned(global, imports);
        return all.Count == 0 ? global : MergeImports(global, all, BasePathFor(global, Path.GetDirectoryName(path)!), [path]);
    }

    private YamlMappingNode? MergeFile(YamlMappingNode? into, string path, bool lenient = false)
    {
        var file = Prepare(path, lenient);
        if (file is null)
        {
            return into;
        }

        Track(path);
        return Merge(into, file);
    }

    private YamlMappingNode Merge(YamlMappingNode? into, PreparedFile file) =>
        ConfigMerge.Merge(into, file.Root, _locations, file.HasDirectives);

    // Imports are merged in order, each file followed by the files it imports itself (atmos's LocalAdapter appends a
    // file's nested imports after it). A cycle stops at the file that would repeat; deeper than atmos's limit stops there.
    private YamlMappingNode? MergeImports(YamlMappingNode? into, IReadOnlyList<ImportEntry> imports, string basePath, List<string> chain)
    {
        foreach (var entry in imports)
        {
            foreach (var path in Resolve(entry, basePath))
            {
                if (chain.Contains(path, StringComparer.Ordinal))
                {
                    var loop = chain.SkipWhile(p => p != path).Append(path).Select(_request.Display);
                    _problems.Add(ConfigProblem.Warning(entry.Location, $"import cycle: {string.Join(" → ", loop)}; the repeated import is skipped (remove one of the imports)"));
                    continue;
                }

                var file = Prepare(path, lenient: true);
                if (file is null)
                {
                    continue;
                }

                Track(path);
                into = Merge(into, file);
                if (file.Imports.Count == 0)
                {
                    continue;
                }

                if (chain.Count >= MaxImportDepth)
                {
                    _problems.Add(ConfigProblem.Warning(file.Imports[0].Location, $"imports nest deeper than {MaxImportDepth} levels; the imports of {_request.Display(path)} are skipped, as atmos skips them"));
                    continue;
                }

                // A file that declares its own base_path resolves its imports against it; otherwise against its parent's.
                var nestedBase = file.BasePath is { } declared ? ResolveBasePath(declared, Path.GetDirectoryName(path)!, file.BasePathIsRuntime) : basePath;
                into = MergeImports(into, file.Imports, nestedBase, [.. chain, path]);
            }
        }

        return into;
    }

    private IEnumerable<string> Resolve(ImportEntry entry, string basePath)
    {
        var text = entry.Path;
        if (RemoteSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            _problems.Add(ConfigProblem.Warning(entry.Location, $"remote import {Redacted(text)} is not fetched (this tool works offline); its settings are missing from this run; copy the file locally and import it by path if it defines identities or providers"));
            return [];
        }

        var path = Path.GetFullPath(PathExpansion.ExpandTilde(text, _request.Home) ?? text, basePath);
        var files = ConfigGlob.Search(path);
        if (files.Count == 0)
        {
            _problems.Add(ConfigProblem.Warning(entry.Location, $"import '{text}' matches no file (looked for {_request.Display(path)}{(Path.GetExtension(path).Length == 0 ? ".yaml/.yml" : string.Empty)}, relative to the base path {_request.Display(basePath)}); fix the path or remove the import"));
        }

        return files;
    }

    // The .atmos.d/ and atmos.d/ files for a config folder (atmos's mergeDefaultImports): the Git root's first (when it
    // is another folder), then the folder's own; in each, atmos.d/ before .atmos.d/.
    private IEnumerable<string> AtmosD(string folder)
    {
        var folders = new List<string>();
        if (_context.Git?.Root is { } root && root != folder)
        {
            folders.Add(root);
        }

        folders.Add(folder);
        foreach (var dir in folders)
        {
            foreach (var name in new[] { "atmos.d", ".atmos.d" })
            {
                var sub = Path.Join(dir, name);
                if (Directory.Exists(sub))
                {
                    foreach (var file in ConfigGlob.Search(sub))
                    {
                        yield return file;
                    }
                }
            }
        }
    }

    // The main file's import list (as merged with its .atmos.d files), with the provisioned identities of the configured
    // providers first (atmos's injectProvisionedIdentityImports), so everything written by hand wins over them.
    private List<ImportEntry> ImportsOf(YamlMappingNode group) =>
        WithProvisioned(group, ImportEntries(ConfigMerge.Child(group, "import")).ToList());

    private List<ImportEntry> WithProvisioned(YamlMappingNode config, List<ImportEntry> imports)
    {
        if (ConfigMerge.Child(ConfigMerge.Child(config, "auth"), "providers") is not YamlMappingNode { Children.Count: > 0 } providers)
        {
            return imports;
        }

        var folder = Path.Join(PathExpansion.CacheHome(_request.Environment, _request.Home), "atmos", "auth");
        if (!Directory.Exists(folder))
        {
            return imports;
        }

        var provisioned = new List<ImportEntry>();
        foreach (var key in providers.Children.Keys)
        {
            // atmos's provider names are lower-cased (Viper) when it looks for the file.
            if (key is YamlScalarNode { Value: { Length: > 0 } name }
                && Path.Join(folder, name.ToLowerInvariant().Replace('/', '_').Replace('\\', '_'), ProvisionedFileName) is var file
                && File.Exists(file))
            {
                provisioned.Add(new ImportEntry(file, _locations.Of(key)));
            }
        }

        return [.. provisioned, .. imports];
    }

    private IEnumerable<ImportEntry> ImportEntries(YamlNode? node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } single }:
                yield return new ImportEntry(single, _locations.Of(node));
                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } text })
                    {
                        yield return new ImportEntry(text, _locations.Of(item));
                    }
                    else if (item is not YamlScalarNode)
                    {
                        _problems.Add(ConfigProblem.Warning(_locations.Of(item), "import entries must be paths; this one is ignored"));
                    }
                }

                break;
        }
    }

    // The folder imports are relative to: ATMOS_BASE_PATH, else the config's base_path, resolved as atmos resolves it.
    private string BasePathFor(YamlMappingNode config, string configFolder)
    {
        if (_request.Variable("ATMOS_BASE_PATH") is { } runtime)
        {
            return ResolveBasePath(runtime.Trim(), configFolder, runtime: true);
        }

        var declared = ConfigMerge.Child(config, "base_path") is YamlScalarNode { Value: { } value } ? value : string.Empty;
        return ResolveBasePath(declared, configFolder, runtime: false);
    }

    /// <summary>
    /// atmos's <c>resolveAbsolutePath</c>: an absolute path stays; <c>.</c>, <c>./x</c>, <c>..</c>, <c>../x</c> are
    /// relative to the config folder (to the working folder when set at run time); an empty or bare path (<c>x</c>) is
    /// relative to the Git root when there is one and the path exists there, else to the working folder when it exists
    /// there, else to the config folder.
    /// </summary>
    private string ResolveBasePath(string path, string configFolder, bool runtime)
    {
        var cwd = _request.WorkingDirectory;
        path = PathExpansion.ExpandTilde(path, _request.Home) ?? path;
        if (Path.IsPathFullyQualified(path))
        {
            return path;
        }

        if (path is "." or ".." || path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal))
        {
            return Path.GetFullPath(path, runtime ? cwd : configFolder);
        }

        var gitRoot = _request.Variable("ATMOS_GIT_ROOT_BASEPATH") == "false" ? null : _context.Git?.Root;
        if (gitRoot is not null)
        {
            if (path.Length == 0)
            {
                return gitRoot;
            }

            var inRoot = Path.GetFullPath(path, gitRoot);
            var inCwd = Path.GetFullPath(path, cwd);
            return Path.Exists(inRoot) ? inRoot : Path.Exists(inCwd) ? inCwd : inRoot;
        }

        if (path.Length == 0)
        {
            return configFolder;
        }

        var fromConfig = Path.GetFullPath(path, configFolder);
        var fromCwd = Path.GetFullPath(path, cwd);
        if (runtime && Path.Exists(fromCwd))
        {
            return fromCwd;
        }

        return Path.Exists(fromConfig) ? fromConfig : Path.Exists(fromCwd) ? fromCwd : fromConfig;
    }

    // Profiles (--profile, else ATMOS_PROFILE, else profiles.default): each profile folder's files, in order, over
    // everything else; a file's own imports go just before it (atmos's mergeConfigFileWithImports).
    private YamlMappingNode? LoadProfiles(YamlMappingNode? global)
    {
        var profiles = _request.Profiles.Count > 0 ? _request.Profiles : ConfigDiscovery.Split(_request.Variable("ATMOS_PROFILE"));
        var profilesNode = ConfigMerge.Child(global, "profiles");
        if (profiles.Count == 0 && ConfigMerge.Child(profilesNode, "default") is YamlScalarNode { Value: { } fallback } && fallback.Trim().Length > 0)
        {
            profiles = [fallback.Trim()];
        }

        if (profiles.Count == 0)
        {
            return global;
        }

        var folders = ProfileFolders(ConfigMerge.Child(profilesNode, "base_path") is YamlScalarNode { Value: { Length: > 0 } basePath } ? basePath : null);
        foreach (var profile in profiles)
        {
            var folder = folders.Select(f => Path.Join(f, profile)).FirstOrDefault(Directory.Exists);
            if (folder is null)
            {
                var available = ProfilesIn(folders);
                var identities = ConfigMerge.Child(ConfigMerge.Child(global, "auth"), "identities") as YamlMappingNode;
                var isIdentity = identities?.Children.Keys.Any(k => k is YamlScalarNode { Value: { } n } && string.Equals(n, profile, StringComparison.OrdinalIgnoreCase)) == true;
                _problems.Add(ConfigProblem.Error(null, $"profile '{profile}' not found (searched {string.Join(", ", folders.Select(f => _request.Display(Path.Join(f, profile))))}); "
                    + (available.Count > 0 ? $"available profiles: {string.Join(", ", available)}" : "no profile exists")
                    + (isIdentity ? $"; '{profile}' is an identity: select it with ATMOS_IDENTITY or an argument, not as a profile" : "; check the name or create the folder")));
                continue;
            }

            foreach (var path in ConfigGlob.Search(folder))
            {
                var file = Prepare(path, lenient: false);
                if (file is null)
                {
                    continue;
                }

                if (file.Imports.Count > 0)
                {
                    var importBase = ResolveBasePath(file.BasePath ?? string.Empty, Path.GetDirectoryName(path)!, file.BasePathIsRuntime);
                    global = MergeImports(global, file.Imports, importBase, [path]);
                }

                Track(path);
                global = Merge(global, file);
                if (file.Imports.Count > 0)
                {
                    // atmos lays the profile file over its imports once more.
                    global = Merge(global, file);
                }
            }
        }

        return global;
    }

    private static List<string> ProfilesIn(IEnumerable<string> folders) =>
        folders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateDirectories(f).Select(Path.GetFileName))
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>atmos's profile folders, first match wins: profiles.base_path, &lt;config&gt;/.atmos/profiles, CONFIG/profiles, &lt;config&gt;/profiles.</summary>
    private List<string> ProfileFolders(string? basePath)
    {
        var configFolder = _configFolder ?? _request.WorkingDirectory;
        var folders = new List<string>();
        if (basePath is not null)
        {
            folders.Add(Path.GetFullPath(PathExpansion.ExpandTilde(basePath, _request.Home) ?? basePath, configFolder));
        }

        folders.Add(Path.Join(configFolder, ".atmos", "profiles"));
        folders.Add(Path.Join(PathExpansion.ConfigHome(_request.Environment, _request.Home), "atmos", "profiles"));
        folders.Add(Path.Join(configFolder, "profiles"));
        return folders;
    }

    // atmos re-reads auth.identities from every file it merged, in the order it first read them, and a later file's
    // definition of an identity replaces the earlier one whole (fixAuthIdentities: identity names may hold dots, which
    // Viper's merge would split). Files without identities leave the merged ones alone.
    private YamlMappingNode? WithIdentitiesAsAtmosReadsThem(YamlMappingNode? global)
    {
        if (global is null || _read.Count < 2)
        {
            return global;
        }

        var identities = new YamlMappingNode();
        var byName = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in _read)
        {
            if (_prepared[path]?.Root is not { } root || ConfigMerge.Child(ConfigMerge.Child(root, "auth"), "identities") is not YamlMappingNode own)
            {
                continue;
            }

            foreach (var (key, value) in own.Children)
            {
                if (key is not YamlScalarNode { Value: { } name } || value is not YamlMappingNode definition)
                {
                    continue;
                }

                if (byName.Remove(name, out var earlier))
                {
                    identities.Children.Remove(earlier);
                }

                identities.Children.Add(key, ConfigMerge.Clean(definition, _locations));
                byName[name] = key;
            }
        }

        if (identities.Children.Count == 0)
        {
            return global;
        }

        if (ConfigMerge.Child(ConfigMerge.Child(global, "auth"), "identities") is { } merged)
        {
            _locations.Set(identities, _locations.Of(merged));
        }

        return Replace(global, ["auth", "identities"], identities);
    }

    // A copy of a tree with the value at a path of keys replaced (the keys created when missing).
    private YamlMappingNode Replace(YamlMappingNode map, string[] path, YamlNode value)
    {
        var copy = new YamlMappingNode();
        _locations.Set(copy, _locations.Of(map));
        var found = false;
        foreach (var (key, child) in map.Children)
        {
            if (!found && key is YamlScalarNode { Value: { } name } && string.Equals(name, path[0], StringComparison.OrdinalIgnoreCase))
            {
                found = true;
                copy.Children.Add(key, path.Length == 1 ? value : Replace(child as YamlMappingNode ?? new YamlMappingNode(), path[1..], value));
                continue;
            }

            copy.Children.Add(key, child);
        }

        if (!found)
        {
            copy.Children.Add(new YamlScalarNode(path[0]), path.Length == 1 ? value : Replace(new YamlMappingNode(), path[1..], value));
        }

        return copy;
    }

    private void Track(string path)
    {
        if (!_read.Contains(path, StringComparer.Ordinal))
        {
            _read.Add(path);
        }
    }

    // One file read, parsed and evaluated once (a file met again, such as the Git root's .atmos.d for several main
    // files, is the same tree). Only the keys that matter are kept. A broken imported file is skipped with a warning,
    // as atmos skips it; anywhere else it is an error.
    private PreparedFile? Prepare(string path, bool lenient)
    {
        if (_prepared.TryGetValue(path, out var known))
        {
            return known;
        }

        var display = _request.Display(path);
        var root = ConfigDocument.Load(path, display, out var problem);
        PreparedFile? prepared = null;
        if (problem is not null)
        {
            _problems.Add(lenient ? problem with { Severity = ProblemSeverity.Warning, Message = $"{problem.Message} (the import is skipped, as atmos skips it)" } : problem);
        }
        else if (root is not null and not YamlMappingNode && !IsEmpty(root))
        {
            var message = "the top level must be a mapping (key: value pairs) holding an auth: section";
            _problems.Add(lenient ? ConfigProblem.Warning(new SourceLocation(display, (int)root.Start.Line, (int)root.Start.Column), message + " (the import is skipped)") : ConfigProblem.Error(new SourceLocation(display, (int)root.Start.Line, (int)root.Start.Column), message));
        }
        else
        {
            prepared = Kept(root as YamlMappingNode ?? new YamlMappingNode(), path, display);
        }

        _prepared[path] = prepared;
        return prepared;
    }

    private PreparedFile Kept(YamlMappingNode root, string path, string display)
    {
        // The first file read needs no bookkeeping: nodes not recorded belong to it.
        if (_locations.DefaultFile is null && _prepared.Count == 0)
        {
            _locations.DefaultFile = display;
        }
        else
        {
            _locations.AddTree(root, display);
        }

        var kept = new YamlMappingNode();
        _locations.Set(kept, _locations.Of(root));
        var directives = false;
        List<ImportEntry> imports = [];
        string? basePath = null;
        var basePathIsRuntime = false;
        foreach (var (key, value) in root.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !KeptKeys.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(name, "import", StringComparison.OrdinalIgnoreCase))
            {
                // Import paths are taken as written: atmos reads them before it evaluates any function.
                kept.Children.Add(key, value);
                imports = ImportEntries(value).ToList();
                continue;
            }

            var resolved = _functions.Resolve(value, path, display, name);
            directives |= _functions.SawDirectives;
            if (resolved is null)
            {
                continue;
            }

            if (string.Equals(name, "base_path", StringComparison.OrdinalIgnoreCase) && resolved is YamlScalarNode { Value: { } text })
            {
                basePath = text;
                basePathIsRuntime = ConfigMerge.TagOf(value) == "!cwd";
            }

            kept.Children.Add(key, resolved);
        }

        return new PreparedFile(path, kept, directives, imports, basePath, basePathIsRuntime);
    }

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" };

    private static string Redacted(string url)
    {
        // Credentials in a URL stay out of messages (atmos's SanitizeImport).
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var query = url.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            url = url[..query];
        }

        return scheme >= 0 && at > scheme ? url[..(scheme + 3)] + url[(at + 1)..] : url;
    }

    private sealed record PreparedFile(string Path, YamlMappingNode Root, bool HasDirectives, IReadOnlyList<ImportEntry> Imports, string? BasePath, bool BasePathIsRuntime);

    private sealed record ImportEntry(string Path, SourceLocation Location);
}

/// <summary>The merged configuration tree and what was read to build it.</summary>
/// <param name="Root">The merged tree (<c>auth</c>, <c>import</c>, <c>base_path</c>, <c>profiles</c>), or null when nothing usable was read.</param>
/// <param name="Locations">Where each node was written.</param>
/// <param name="Failed">Nodes whose YAML function failed (already reported).</param>
/// <param name="Problems">Problems found finding, reading and evaluating the files.</param>
/// <param name="Files">Every file read, in the order atmos reads them.</param>
/// <param name="MainFile">The main atmos.yaml with the last word (its folder anchors relative paths), or null.</param>
public sealed record MergedConfig(YamlMappingNode? Root, ConfigLocations Locations, IReadOnlySet<YamlNode> Failed, IReadOnlyList<ConfigProblem> Problems, IReadOnlyList<string> Files, string? MainFile)
{
    /// <summary>The names under <c>auth.&lt;section&gt;</c> (<c>providers</c> or <c>identities</c>), without reading their settings.</summary>
    /// <param name="section">The section.</param>
    public IEnumerable<string> Names(string section) =>
        ConfigMerge.Child(ConfigMerge.Child(Root, "auth"), section) is YamlMappingNode map
            ? map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).OfType<string>()
            : [];
}
