using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>An identity or provider a scope covers, in output order.</summary>
/// <param name="Name">Its name, also its keyring entry's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Role">Identity or provider.</param>
/// <param name="Via">The root provider of an identity, when known.</param>
/// <param name="AlwaysPlanned">Whether a logout plans its keyring step even when the entry is absent (identity chains).</param>
internal sealed record ScopePrincipal(string Name, string Kind, PrincipalRole Role, string? Via, bool AlwaysPlanned);

/// <summary>The providers and identities of a scope that one plugin owns.</summary>
/// <param name="Key">The plugin's name, or the problem shared by kinds no plugin can handle.</param>
/// <param name="Plugin">The plugin, when one declares the kinds.</param>
/// <param name="Problem">Why no usable plugin handles them, or null.</param>
/// <param name="Kinds">The first kind seen, named when no plugin can be blamed.</param>
internal sealed record PluginShare(string Key, PluginDescriptor? Plugin, string? Problem, string Kinds)
{
    /// <summary>Providers logged out whole.</summary>
    public List<ProviderConfig> Providers { get; } = [];

    /// <summary>Identities.</summary>
    public List<IdentityConfig> Identities { get; } = [];

    /// <summary>Their names, providers first.</summary>
    public IReadOnlyList<string> Names => Providers.Select(p => p.Name).Concat(Identities.Select(i => i.Name)).ToList();
}

/// <summary>
/// Who a scope covers (SPEC §3), shared by the logout planner and <c>atmos auth status</c>: the keyring principals in
/// output order (chain root first; each provider then its identities depth first; standalone identities last), and the
/// same providers and identities grouped by the plugin that owns their kinds, as that plugin is asked about them.
/// </summary>
internal sealed class ScopeMembers
{
    private List<ProviderConfig>? _providersByName;

    private readonly RunContext _context;

    public ScopeMembers(RunContext context) => _context = context;

    /// <summary>The keyring principals of the scope, in output order.</summary>
    public IReadOnlyList<ScopePrincipal> Principals(ResolvedTarget target)
    {
        var graph = _context.Graph;
        var result = new List<ScopePrincipal>();
        switch (target.Scope)
        {
            case ScopeKind.Identity:
                result.AddRange(ChainOf(target.Identity!, alwaysPlanned: true));
                break;
            case ScopeKind.Provider:
                AddTree(target.Provider!, graph, result);
                break;
            case ScopeKind.Tags:
                // Tagged providers whole, then tagged identities with their chains; each principal once.
                var tree = new List<ScopePrincipal>();
                foreach (var provider in target.Tagged!.Providers)
                {
                    AddTree(provider, graph, tree);
                }

                var added = new HashSet<string>(StringComparer.Ordinal);
                result.AddRange(tree.Concat(target.Tagged.Identities.SelectMany(i => ChainOf(i, alwaysPlanned: false))).Where(p => added.Add(p.Name)));
                break;
            default:
                foreach (var provider in ProvidersByName())
                {
                    AddTree(provider, graph, result);
                }

                foreach (var standalone in graph.StandaloneIdentities())
                {
                    result.Add(new ScopePrincipal(standalone.Name, standalone.Kind, PrincipalRole.Identity, null, false));
                    result.AddRange(graph.Descendants(standalone.Name).Select(i => new ScopePrincipal(i.Name, i.Kind, PrincipalRole.Identity, null, false)));
                }

                break;
        }

        return result;
    }

    /// <summary>Which plugin is asked about which providers and identities, in the order they first appear.</summary>
    public IReadOnlyList<PluginShare> PluginShares(ResolvedTarget target)
    {
        var graph = _context.Graph;
        var shares = new List<PluginShare>();
        PluginShare For(string kind)
        {
            var owner = _context.Catalog.Resolve(kind);
            var key = owner.Plugin?.Name ?? owner.Problem ?? kind;
            var share = shares.FirstOrDefault(w => w.Key == key);
            if (share is null)
            {
                share = new PluginShare(key, owner.Plugin, owner.Problem, kind);
                shares.Add(share);
            }

            return share;
        }

        switch (target.Scope)
        {
            case ScopeKind.Identity:
                For(target.Identity!.Kind).Identities.Add(target.Identity);
                break;
            case ScopeKind.Provider:
                For(target.Provider!.Kind).Providers.Add(target.Provider);
                foreach (var identity in graph.Descendants(target.Provider.Name))
                {
                    For(identity.Kind).Identities.Add(identity);
                }

                break;
            case ScopeKind.Tags:
                var asked = new HashSet<IdentityConfig>(ReferenceEqualityComparer.Instance);
                foreach (var provider in target.Tagged!.Providers)
                {
                    For(provider.Kind).Providers.Add(provider);
                    foreach (var identity in graph.Descendants(provider.Name).Where(asked.Add))
                    {
                        For(identity.Kind).Identities.Add(identity);
                    }
                }

                foreach (var identity in target.Tagged.Identities.Where(asked.Add))
                {
                    For(identity.Kind).Identities.Add(identity);
                }

                break;
            default:
                foreach (var provider in ProvidersByName())
                {
                    For(provider.Kind).Providers.Add(provider);
                    foreach (var identity in graph.Descendants(provider.Name))
                    {
                        For(identity.Kind).Identities.Add(identity);
                    }
                }

                foreach (var standalone in graph.StandaloneIdentities())
                {
                    For(standalone.Kind).Identities.Add(standalone);
                    foreach (var identity in graph.Descendants(standalone.Name))
                    {
                        For(identity.Kind).Identities.Add(identity);
                    }
                }

                break;
        }

        return shares;
    }

    /// <summary>
    /// Reads the keyring entries of <paramref name="principals"/> in one call. A keyring that cannot be read (locked,
    /// no service, access denied, timed out) is not an error here: the reason comes back and nothing is known.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, string?> Entries, string? Problem)> ReadKeyringAsync(IReadOnlyList<ScopePrincipal> principals, CancellationToken cancellationToken)
    {
        try
        {
            return (await _context.Keyring.GetManyAsync(principals.Select(p => p.Name).ToList(), cancellationToken).ConfigureAwait(false), null);
        }
        catch (KeyringUnavailableException ex)
        {
            return (new Dictionary<string, string?>(), ex.Reason);
        }
        catch (KeyringOperationException ex)
        {
            return (new Dictionary<string, string?>(), ex.Reason);
        }
    }

    /// <summary>
    /// Asks the plugin that owns each entry's kind whether it is session data or a long-lived credential, each plugin
    /// once for all of its entries; an entry fails (with the reason) when no usable plugin owns its kind. Returns, by
    /// entry name, the answer and the owning plugin's name when there is one.
    /// </summary>
    public IReadOnlyDictionary<string, (PluginCall<CredentialClass> Class, string? Plugin)> ClassifyAll(IReadOnlyList<KeyringEntry> entries, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, (PluginCall<CredentialClass> Class, string? Plugin)>(StringComparer.Ordinal);
        var waiting = new Dictionary<GuardedPlugin, List<KeyringEntry>>();
        foreach (var entry in entries)
        {
            var owner = _context.Catalog.Resolve(entry.Kind);
            if (owner.Plugin is not { IsAvailable: true } plugin)
            {
                results[entry.Name] = (new PluginCall<CredentialClass>(default, owner.Problem), owner.Plugin?.Name);
                continue;
            }

            var loaded = _context.Catalog.Load(plugin);
            if (!waiting.TryGetValue(loaded, out var batch))
            {
                waiting[loaded] = batch = [];
            }

            batch.Add(entry);
        }

        foreach (var (plugin, batch) in waiting)
        {
            var answers = plugin.CallEach("Classify", batch, static (p, entry) => p.Classify(entry), cancellationToken);
            for (var k = 0; k < batch.Count; k++)
            {
                results[batch[k].Name] = (answers[k], plugin.Name);
            }
        }

        return results;
    }

    /// <summary>What <paramref name="plugin"/> is asked to plan or inspect for its share of the scope.</summary>
    public PlanRequest Request(PluginShare share, GuardedPlugin plugin, ScopeKind scope)
    {
        var providers = share.Providers.Select(p => _context.ProviderTarget(p, plugin.Cloud)).ToList();
        var identities = share.Identities.Select(i => IdentityTarget(i, plugin.Cloud)).ToList();
        var requestScope = scope == ScopeKind.All ? LogoutScope.All : providers.Count > 0 ? LogoutScope.Provider : LogoutScope.Identity;
        return new PlanRequest(requestScope, providers, identities, _context.EnvironmentFor(plugin.Cloud));
    }

    private IdentityTarget IdentityTarget(IdentityConfig identity, string fallbackCloud)
    {
        var graph = _context.Graph;
        var root = graph.RootProvider(identity);
        ProviderTarget? provider = null;
        if (root is not null)
        {
            var owner = _context.Catalog.Resolve(root.Kind);
            var cloud = owner.Plugin is { IsAvailable: true } plugin && _context.Catalog.Load(plugin) is { LoadFailure: null } loaded ? loaded.Cloud : fallbackCloud;
            provider = _context.ProviderTarget(root, cloud);
        }

        return new IdentityTarget(identity.Name, identity.Kind, graph.Chain(identity), provider, identity.Settings);
    }

    // An identity's chain, root first, as identity scope plans it.
    private IEnumerable<ScopePrincipal> ChainOf(IdentityConfig identity, bool alwaysPlanned)
    {
        var root = _context.Graph.RootProvider(identity);
        foreach (var name in _context.Graph.Chain(identity))
        {
            yield return _context.Config.FindProvider(name) is { } provider
                ? new ScopePrincipal(name, provider.Kind, PrincipalRole.Provider, null, alwaysPlanned)
                : new ScopePrincipal(name, _context.Config.FindIdentity(name)!.Kind, PrincipalRole.Identity, root?.Name, alwaysPlanned);
        }
    }

    private static void AddTree(ProviderConfig provider, ConfigGraph graph, List<ScopePrincipal> result)
    {
        result.Add(new ScopePrincipal(provider.Name, provider.Kind, PrincipalRole.Provider, null, false));
        result.AddRange(graph.Descendants(provider.Name).Select(i => new ScopePrincipal(i.Name, i.Kind, PrincipalRole.Identity, provider.Name, false)));
    }

    // The config's providers by name (ordinal), ties in config order. Sorted in place rather than through LINQ's OrderBy,
    // whose sorter the runtime compiles at every start (docs/performance.md).
    private List<ProviderConfig> ProvidersByName() => _providersByName ??= SortByName();

    private List<ProviderConfig> SortByName()
    {
        var providers = new List<ProviderConfig>(_context.Config.Providers);
        var sorted = new List<ProviderConfig>(providers);
        sorted.Sort((x, y) =>
        {
            var byName = string.CompareOrdinal(x.Name, y.Name);
            return byName != 0 ? byName : providers.IndexOf(x).CompareTo(providers.IndexOf(y));
        });
        return sorted;
    }
}
