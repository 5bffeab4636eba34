using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>A plugin listed in a manifest, with what its metadata declares and why it cannot be used, if it cannot.</summary>
/// <param name="Entry">The manifest entry.</param>
/// <param name="Metadata">Its declarations, when they could be read.</param>
/// <param name="Problem">Why it is unavailable (missing, disabled, incompatible contract...), or null.</param>
public sealed record PluginDescriptor(ManifestEntry Entry, PluginMetadata? Metadata, string? Problem)
{
    /// <summary>The plugin's name from the manifest.</summary>
    public string Name => Entry.Name;

    /// <summary>
    /// Whether it runs in a process of its own (<c>atmos-plugin-host</c>): every plugin but those shipped with atmos,
    /// unless its manifest entry says otherwise (<c>"isolation"</c>).
    /// </summary>
    public bool Isolated { get; init; } = true;

    /// <summary>Whether it can be loaded.</summary>
    public bool IsAvailable => Problem is null;

    /// <summary>Every kind it declares.</summary>
    public IEnumerable<string> Kinds => Metadata is null ? [] : Metadata.ProviderKinds.Concat(Metadata.IdentityKinds);

    /// <summary>Every integration kind it declares.</summary>
    public IEnumerable<string> IntegrationKinds => Metadata?.IntegrationKinds ?? [];
}

/// <summary>Loads a plugin assembly into its own load context and creates its entry class. Implemented by the host.</summary>
public interface IPluginLoader
{
    /// <summary>Loads the plugin.</summary>
    /// <param name="descriptor">An available plugin.</param>
    /// <returns>The plugin instance.</returns>
    IProviderPlugin Load(PluginDescriptor descriptor);

    /// <summary>
    /// The load of <paramref name="descriptor"/> failed or did not finish within the time limit and was abandoned:
    /// stop whatever it started (a plugin's process). Nothing for a loader that starts nothing.
    /// </summary>
    /// <param name="descriptor">The plugin whose load was abandoned.</param>
    void Abandon(PluginDescriptor descriptor)
    {
    }
}

/// <summary>Who handles a kind.</summary>
/// <param name="Plugin">The plugin that declares it, when exactly one available plugin does.</param>
/// <param name="IsProviderKind">Whether it was declared as a provider kind (a kind may be both: atmos has provider and identity kinds named <c>atmos/pro</c>, <c>mock</c>).</param>
/// <param name="Problem">Why no plugin can handle it, or null.</param>
/// <param name="IsUnknown">True when no plugin, available or not, can be blamed: the kind is simply not known (a config error).</param>
public sealed record KindOwner(PluginDescriptor? Plugin, bool IsProviderKind, string? Problem, bool IsUnknown)
{
    /// <summary>Whether it was declared as an identity kind (a kind may be both).</summary>
    public bool IsIdentityKind { get; init; } = !IsProviderKind;
}

/// <summary>
/// The plugins listed in the manifests, described from their metadata without loading them; loads a plugin the first
/// time a command needs one of its kinds, and hands it out behind a <see cref="GuardedPlugin"/>.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private readonly IPluginLoader _loader;
    private readonly TimeSpan _callTimeout;
    private readonly Dictionary<string, List<(PluginDescriptor Plugin, bool IsProvider)>> _claims = new(StringComparer.Ordinal);

    // Integration kinds (auth.integrations) are their own name space: "aws/ecr" is neither a provider nor an identity.
    private readonly Dictionary<string, List<(PluginDescriptor Plugin, bool IsProvider)>> _integrationClaims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GuardedPlugin> _loaded = new(StringComparer.Ordinal);

    // Answers of Resolve and ResolveIntegration: the claims never change after construction, and a run asks about the
    // same few kinds for every provider and identity (a thousand identities asked ~13,000 times, each a new record).
    private readonly Dictionary<string, KindOwner> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KindOwner> _integrationOwners = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly List<string> _warnings = [];

    /// <summary>Reads the manifests (later ones add plugins) and every listed plugin's metadata.</summary>
    /// <param name="manifests">Manifest paths that exist.</param>
    /// <param name="loader">Loads plugins on demand.</param>
    /// <param name="callTimeout">The limit for each call into a plugin.</param>
    /// <param name="trustDeclaredKinds">
    /// When a manifest entry of a plugin that runs in atmos's process declares its plugin's kinds, use them without
    /// opening the assembly; the loader checks them (<see cref="PluginMetadata.Verify"/>) when the plugin is first used.
    /// Opening every listed assembly's metadata costs more start-up than anything else a short command does
    /// (docs/performance.md).
    /// </param>
    /// <param name="builtInFolder">
    /// The folder of the plugins shipped with atmos (<c>&lt;install folder&gt;/plugins</c>): plugins inside it run in
    /// atmos's process, every other one in a process of its own, unless its manifest entry says otherwise. Null: all
    /// isolated.
    /// </param>
    /// <param name="logs">Where plugins' log lines go (none when null).</param>
    /// <param name="isolateAll">Run every plugin in a process of its own, those shipped with atmos too (<c>plugins list --load</c>).</param>
    public PluginCatalog(IEnumerable<string> manifests, IPluginLoader loader, TimeSpan callTimeout, bool trustDeclaredKinds = false, string? builtInFolder = null, IPluginLogSink? logs = null, bool isolateAll = false)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        _loader = loader;
        _callTimeout = callTimeout;
        Logs = logs ?? PluginLogPrinter.None;
        var plugins = new List<PluginDescriptor>();
        Manifests = manifests.ToList();
        foreach (var manifest in Manifests)
        {
            foreach (var entry in PluginManifest.Read(manifest, _problems))
            {
                if (plugins.Any(p => string.Equals(p.Name, entry.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    _warnings.Add($"plugin '{entry.Name}' is listed twice (again in {manifest}); the first entry is used");
                    continue;
                }

                var isolated = isolateAll || IsIsolated(entry, builtInFolder);
                var described = !isolated && trustDeclaredKinds && entry.DeclaresKinds && File.Exists(entry.AssemblyPath)
                    ? new PluginDescriptor(entry, PluginMetadata.Declared(entry), entry.Enabled ? null : Disabled(entry))
                    : Describe(entry);
                plugins.Add(described with { Isolated = isolated });
            }
        }

        foreach (var plugin in plugins.Where(p => p.Metadata is not null && p.Entry.Enabled))
        {
            foreach (var kind in plugin.Metadata!.ProviderKinds)
            {
                Claim(kind, plugin, isProvider: true);
            }

            foreach (var kind in plugin.Metadata.IdentityKinds)
            {
                Claim(kind, plugin, isProvider: false);
            }

            foreach (var kind in plugin.Metadata.IntegrationKinds)
            {
                Claim(_integrationClaims, kind, plugin, isProvider: false);
            }
        }

        // Two plugins claiming one kind is a load error naming both; both become unavailable for that kind only
        // (Resolve fails its steps), so it is a warning for the run as a whole: other kinds still work.
        // (Plain loops over the claims: LINQ over a dictionary's key/value pairs is generic code over a value type that
        // the runtime compiles at every start; docs/performance.md.)
        foreach (var (kind, claims) in _claims)
        {
            if (!claims.TrueForAll(c => ReferenceEquals(c.Plugin, claims[0].Plugin)))
            {
                _warnings.Add($"kind '{kind}' is claimed by more than one plugin: {string.Join(" and ", claims.Select(c => $"'{c.Plugin.Name}' ({c.Plugin.Entry.AssemblyPath})").Distinct())}; disable one of them in plugins.json");
            }
        }

        foreach (var (kind, claims) in _integrationClaims)
        {
            if (claims.Count > 1)
            {
                _warnings.Add($"integration kind '{kind}' is claimed by more than one plugin: {string.Join(" and ", claims.Select(c => $"'{c.Plugin.Name}' ({c.Plugin.Entry.AssemblyPath})"))}; disable one of them in plugins.json");
            }
        }

        Plugins = plugins;
    }

    /// <summary>The manifests read, in order (later ones add plugins).</summary>
    public IReadOnlyList<string> Manifests { get; }

    /// <summary>Every listed plugin, in manifest order.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins { get; }

    /// <summary>Problems with the manifests themselves (unreadable, not JSON, entries without a name or path).</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Problems that affect only some plugins or kinds: kinds claimed by two plugins, plugins listed twice.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The limit for each call into a plugin.</summary>
    public TimeSpan CallTimeout => _callTimeout;

    /// <summary>Where plugins' log lines go.</summary>
    public IPluginLogSink Logs { get; }

    /// <summary>The log channel handed to <paramref name="plugin"/> (<see cref="PluginEnvironment.Log"/>).</summary>
    /// <param name="plugin">The plugin's name.</param>
    public PluginLog LogFor(string plugin) => new((level, message) => Logs.Write(plugin, level, message));

    /// <summary>Stops every plugin process this catalog started; plugins in atmos's process are left alone.</summary>
    public void Dispose()
    {
        lock (_loaded)
        {
            foreach (var plugin in _loaded.Values)
            {
                plugin.Dispose();
            }
        }

        (_loader as IDisposable)?.Dispose();
    }

    /// <summary>Who handles <paramref name="kind"/>.</summary>
    /// <param name="kind">A provider or identity kind.</param>
    public KindOwner Resolve(string kind) => Remembered(_owners, _claims, kind, "kind");

    /// <summary>Who handles the integration kind <paramref name="kind"/> (<c>auth.integrations</c>).</summary>
    /// <param name="kind">An integration kind, such as <c>aws/ecr</c>.</param>
    public KindOwner ResolveIntegration(string kind) => Remembered(_integrationOwners, _integrationClaims, kind, "integration kind");

    private KindOwner Remembered(Dictionary<string, KindOwner> known, Dictionary<string, List<(PluginDescriptor Plugin, bool IsProvider)>> claimed, string kind, string what)
    {
        lock (known)
        {
            if (!known.TryGetValue(kind, out var owner))
            {
                known[kind] = owner = Owner(claimed, kind, what);
            }

            return owner;
        }
    }

    private KindOwner Owner(Dictionary<string, List<(PluginDescriptor Plugin, bool IsProvider)>> claimed, string kind, string what)
    {
        if (claimed.TryGetValue(kind, out var claims))
        {
            // One plugin may declare a kind in both roles (one claim each); two plugins claiming it is a conflict.
            var isProvider = claims.Exists(c => c.IsProvider);
            var isIdentity = claims.Exists(c => !c.IsProvider);
            if (claims.TrueForAll(c => ReferenceEquals(c.Plugin, claims[0].Plugin)))
            {
                var plugin = claims[0].Plugin;
                return (plugin.IsAvailable
                    ? new KindOwner(plugin, isProvider, null, false)
                    : new KindOwner(plugin, isProvider, $"plugin '{plugin.Name}' is unavailable: {plugin.Problem}", false)) with { IsIdentityKind = isIdentity };
            }

            return new KindOwner(null, isProvider, $"{what} '{kind}' is claimed by {string.Join(" and ", claims.Select(c => $"'{c.Plugin.Name}'").Distinct())}; disable one of them in plugins.json", false) { IsIdentityKind = isIdentity };
        }

        // Not declared by any readable plugin. Blame an unavailable plugin named like the kind's prefix, else any unavailable one.
        var prefix = kind.Split('/')[0];
        var unavailable = Plugins.Where(p => !p.IsAvailable).ToList();
        var suspect = unavailable.FirstOrDefault(p => string.Equals(p.Name, prefix, StringComparison.OrdinalIgnoreCase));
        if (suspect is not null)
        {
            return new KindOwner(suspect, false, $"plugin '{suspect.Name}' is unavailable: {suspect.Problem}", false);
        }

        if (unavailable.Count > 0)
        {
            return new KindOwner(null, false, $"no available plugin provides {what} '{kind}' (unavailable: {string.Join("; ", unavailable.Select(p => $"'{p.Name}': {p.Problem}"))})", false);
        }

        return new KindOwner(null, false, $"unknown {what} '{kind}'", true);
    }

    /// <summary>All kinds declared by available plugins, sorted.</summary>
    public IReadOnlyList<string> KnownKinds(bool providers)
    {
        var kinds = new List<string>();
        foreach (var (kind, claims) in _claims)
        {
            if (claims.TrueForAll(c => ReferenceEquals(c.Plugin, claims[0].Plugin)) && claims.Exists(c => c.IsProvider == providers) && claims[0].Plugin.IsAvailable)
            {
                kinds.Add(kind);
            }
        }

        kinds.Sort(StringComparer.Ordinal);
        return kinds;
    }

    /// <summary>Loads (once) and returns the plugin, or the reason it cannot be loaded.</summary>
    /// <param name="descriptor">An available plugin.</param>
    public GuardedPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(descriptor.Name, out var guarded))
            {
                guarded = GuardedPlugin.Create(descriptor, _loader, _callTimeout);
                _loaded[descriptor.Name] = guarded;
            }

            return guarded;
        }
    }

    private void Claim(string kind, PluginDescriptor plugin, bool isProvider) => Claim(_claims, kind, plugin, isProvider);

    private static void Claim(Dictionary<string, List<(PluginDescriptor Plugin, bool IsProvider)>> claimed, string kind, PluginDescriptor plugin, bool isProvider)
    {
        if (!claimed.TryGetValue(kind, out var claims))
        {
            claimed[kind] = claims = [];
        }

        if (!claims.Any(c => ReferenceEquals(c.Plugin, plugin) && c.IsProvider == isProvider))
        {
            claims.Add((plugin, isProvider));
        }
    }

    private static PluginDescriptor Describe(ManifestEntry entry)
    {
        if (!File.Exists(entry.AssemblyPath))
        {
            return new PluginDescriptor(entry, null, $"assembly not found at {entry.AssemblyPath}; reinstall it or fix its path in {entry.ManifestPath}");
        }

        PluginMetadata metadata;
        try
        {
            metadata = PluginMetadata.Read(entry.AssemblyPath);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new PluginDescriptor(entry, null, $"{entry.AssemblyPath} is not a readable .NET assembly ({ex.Message})");
        }

        var problem = (metadata, entry.Enabled) switch
        {
            (_, false) => Disabled(entry),
            ({ ContractVersion: null }, _) => $"{entry.AssemblyPath} does not reference Atmos.Plugins.Contracts, so it is not an atmos plugin",
            ({ EntryType: null }, _) => $"{entry.AssemblyPath} has no [assembly: AtmosPlugin(typeof(...))] naming its plugin class",
            _ => Incompatibility(entry.Name, metadata),
        };
        return new PluginDescriptor(entry, metadata, problem);
    }

    /// <summary>
    /// Whether a plugin runs in a process of its own: as its manifest entry says (<c>"isolation"</c>), else unless it
    /// lies in the folder of the plugins shipped with atmos.
    /// </summary>
    /// <param name="entry">The manifest entry.</param>
    /// <param name="builtInFolder">The folder of the plugins shipped with atmos, or null.</param>
    public static bool IsIsolated(ManifestEntry entry, string? builtInFolder)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Isolated ?? !IsInside(entry.AssemblyPath, builtInFolder);
    }

    private static bool IsInside(string path, string? folder)
    {
        if (folder is null)
        {
            return false;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(root, StringComparison.Ordinal);
    }

    private static string Disabled(ManifestEntry entry) => $"disabled in {entry.ManifestPath}; set \"enabled\": true to use it";

    /// <summary>Why a plugin built against another contract cannot be loaded, or null when it can (SPEC §7).</summary>
    /// <param name="name">The plugin's name.</param>
    /// <param name="metadata">Its metadata, with the contract version it references.</param>
    public static string? Incompatibility(string name, PluginMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.ContractVersion is not { } referenced)
        {
            return null;
        }

        var theirs = new Version(referenced.Major, referenced.Minor);
        var ours = ContractVersion.Current;
        if (ContractVersion.IsCompatible(theirs, ours))
        {
            return null;
        }

        var built = $"version {metadata.DisplayVersion} of plugin '{name}' was built for contract {theirs}";
        var fix = $"use a build of the plugin for contract {ours.Major}.x with x ≤ {ours.Minor}";
        return theirs > ours
            ? $"{built}, which is newer than this atmos's contract {ours}; upgrade atmos or {fix}"
            : $"{built}, but this atmos's contract is {ours} and contract {theirs.Major}.x plugins do not work with {ours.Major}.x; {fix}";
    }
}
