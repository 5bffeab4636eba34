using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>An identity or provider a scope covers, in output order.</summary>
/// <param name="Name">Its name as written in atmos.yaml.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Role">Identity or provider.</param>
/// <param name="Via">The root provider of an identity, when known.</param>
/// <param name="AlwaysPlanned">Whether a logout plans its keyring step even when the entry is absent (identity chains), if its kind leaves one.</param>
/// <param name="Keys">Every keyring key atmos may have stored it under (<see cref="KeyringKeys.For"/>), current form first.</param>
internal sealed record ScopePrincipal(string Name, string Kind, PrincipalRole Role, string? Via, bool AlwaysPlanned, IReadOnlyList<string> Keys);

/// <summary>An identity or provider of the scope whose configuration is broken: it is not logged out, its step fails naming the problem.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Role">Identity or provider.</param>
/// <param name="Problem">The configuration problem and its fix.</param>
internal sealed record BlockedPrincipal(string Name, PrincipalRole Role, string Problem);

/// <summary>The providers and identities of a scope that one plugin owns.</summary>
/// <param name="Key">The plugin's name, or the problem shared by kinds no plugin can handle.</param>
/// <param name="Plugin">The plugin, when one declares the kinds.</param>
/// <param name="Problem">Why no usable plugin handles them, or null.</param>
/// <param name="Kinds">The first kind seen, named when no plugin can be blamed.</param>
/// <param name="IsUnknownKind">True when no plugin, available or not, declares the kind.</param>
internal sealed record PluginShare(string Key, PluginDescriptor? Plugin, string? Problem, string Kinds, bool IsUnknownKind = false)
{
    /// <summary>Providers logged out whole.</summary>
    public List<ProviderConfig> Providers { get; } = [];

    /// <summary>Identities.</summary>
    public List<IdentityConfig> Identities { get; } = [];

    /// <summary>Integrations whose artifacts go with the scope, each with the scope's identities and providers that own it.</summary>
    public List<IntegrationOwners> Integrations { get; } = [];

    /// <summary>Their names, providers first, then the owners of its integrations.</summary>
    public IReadOnlyList<string> Names => Providers.Select(p => p.Name).Concat(Identities.Select(i => i.Name)).Concat(Integrations.SelectMany(i => i.Owners)).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>An integration and the scope's identities and providers that own it.</summary>
/// <param name="Integration">The integration.</param>
/// <param name="Owners">Its owners in scope order.</param>
/// <remarks>A record, not a tuple: LINQ over a value tuple is JIT-compiled at every run (docs/performance.md, item 25).</remarks>
internal sealed record IntegrationOwners(IntegrationConfig Integration, List<string> Owners);

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

    /// <summary>
    /// The keyring principals of the scope, in output order, without those whose configuration is broken
    /// (<see cref="Blocked"/>).
    /// </summary>
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
                result.AddRange(tree.Concat(target.Tagged.Identities.SelectMany(i => ChainOf(i, alwaysPlanned: false))).Where(p => added.Add($"{p.Role}:{p.Name}")));
                break;
            default:
                foreach (var provider in ProvidersByName())
                {
                    AddTree(provider, graph, result);
                }

                foreach (var standalone in graph.StandaloneIdentities())
                {
                    result.Add(Principal(standalone.Name, standalone.Kind, PrincipalRole.Identity, null, false));
                    result.AddRange(graph.Descendants(standalone.Name).Select(i => Principal(i.Name, i.Kind, PrincipalRole.Identity, null, false)));
                }

                break;
        }

        var blocked = _context.BlockedPrincipals;
        return blocked.Count == 0 ? result : result.Where(p => !blocked.ContainsKey(p.Name)).ToList();
    }

    /// <summary>
    /// The identities and providers of the scope whose configuration is broken (a loop, a dangling via, a bad kind, a bad
    /// base_path; and everything whose chain passes through one): each becomes a failed step; the rest of the scope is
    /// logged out. In the all scopes this includes entries the loader could not read at all.
    /// </summary>
    public IReadOnlyList<BlockedPrincipal> Blocked(ResolvedTarget target)
    {
        var blocked = _context.BlockedPrincipals;
        if (blocked.Count == 0)
        {
            return [];
        }

        IEnumerable<(string Name, PrincipalRole Role)> members = target.Scope switch
        {
            ScopeKind.Identity => _context.Graph.Chain(target.Identity!).Select(n => (n, _context.Config.FindProvider(n) is null ? PrincipalRole.Identity : PrincipalRole.Provider)),
            ScopeKind.Provider => _context.Graph.Descendants(target.Provider!.Name).Select(i => (i.Name, PrincipalRole.Identity)).Prepend((target.Provider.Name, PrincipalRole.Provider)),
            ScopeKind.Tags => target.Tagged!.Providers.SelectMany(p => _context.Graph.Descendants(p.Name).Select(i => (i.Name, PrincipalRole.Identity)).Prepend((p.Name, PrincipalRole.Provider)))
                .Concat(target.Tagged.Identities.SelectMany(i => _context.Graph.Chain(i)).Select(n => (n, _context.Config.FindProvider(n) is null ? PrincipalRole.Identity : PrincipalRole.Provider))),
            _ => _context.Config.Providers.Select(p => (p.Name, PrincipalRole.Provider))
                .Concat(_context.Config.Identities.Select(i => (i.Name, PrincipalRole.Identity)))
                .Concat(blocked.Keys.Where(n => _context.Config.FindProvider(n) is null && _context.Config.FindIdentity(n) is null).Order(StringComparer.Ordinal).Select(n => (n, PrincipalRole.Identity))),
        };
        return members
            .Where(m => blocked.ContainsKey(m.Name))
            .DistinctBy(m => m.Name)
            .Select(m => new BlockedPrincipal(m.Name, m.Role, blocked[m.Name]))
            .ToList();
    }

    private ScopePrincipal Principal(string name, string kind, PrincipalRole role, string? via, bool alwaysPlanned) =>
        new(name, kind, role, via, alwaysPlanned, KeyringKeys.For(name, _context.Realm.Value));

    /// <summary>Which plugin is asked about which providers and identities, in the order they first appear.</summary>
    public IReadOnlyList<PluginShare> PluginShares(ResolvedTarget target)
    {
        var graph = _context.Graph;
        var shares = new List<PluginShare>();
        // One share per plugin (or per problem, for kinds no usable plugin handles), in the order first needed.
        PluginShare ShareOf(KindOwner owner, string kind)
        {
            var key = owner.Plugin?.Name ?? owner.Problem ?? kind;
            foreach (var known in shares)
            {
                if (known.Key == key)
                {
                    return known;
                }
            }

            var share = new PluginShare(key, owner.Plugin, owner.Problem, kind, owner.IsUnknown);
            shares.Add(share);
            return share;
        }

        PluginShare For(string kind) => ShareOf(_context.Catalog.Resolve(kind), kind);

        AddShares(target, graph, For);
        var blocked = _context.BlockedPrincipals;
        if (blocked.Count > 0)
        {
            // Broken entries become failed steps of their own (Blocked); no plugin is asked about them.
            foreach (var share in shares)
            {
                share.Providers.RemoveAll(p => blocked.ContainsKey(p.Name));
                share.Identities.RemoveAll(i => blocked.ContainsKey(i.Name));
            }

            shares.RemoveAll(s => s.Providers.Count == 0 && s.Identities.Count == 0);
        }

        foreach (var (integration, owners) in IntegrationsOf(target))
        {
            var unblocked = owners.Where(o => !blocked.ContainsKey(o)).ToList();
            if (unblocked.Count > 0)
            {
                ShareOf(_context.Catalog.ResolveIntegration(integration.Kind), integration.Kind).Integrations.Add(new IntegrationOwners(integration, unblocked));
            }
        }

        return shares;
    }

    // atmos's rule (manager_logout.go cleanupIntegrations): an identity's logout cleans up the integrations whose
    // via.identity is that identity or whose via.provider is its chain's root provider. A provider's logout (and --all)
    // logs out its identities, and also takes the integrations bound to the provider itself, which atmos reaches only
    // through an identity. Owners in scope order; names compared without case (atmos lower-cases the keys it loads).
    private List<IntegrationOwners> IntegrationsOf(ResolvedTarget target)
    {
        var result = new List<IntegrationOwners>();
        if (_context.Config.Integrations.Count == 0)
        {
            return result;
        }

        var graph = _context.Graph;
        List<IdentityConfig> identities = target.Scope switch
        {
            ScopeKind.Identity => [target.Identity!],
            ScopeKind.Provider => graph.Descendants(target.Provider!.Name).ToList(),
            ScopeKind.Tags => target.Tagged!.Providers.SelectMany(p => graph.Descendants(p.Name)).Concat(target.Tagged.Identities).Distinct().ToList(),
            _ => _context.Config.Identities.ToList(),
        };
        List<ProviderConfig> providers = target.Scope switch
        {
            ScopeKind.Identity => [],
            ScopeKind.Provider => [target.Provider!],
            ScopeKind.Tags => target.Tagged!.Providers.ToList(),
            _ => _context.Config.Providers.ToList(),
        };
        foreach (var integration in _context.Config.Integrations)
        {
            var owners = new List<string>();
            foreach (var provider in providers)
            {
                if (string.Equals(integration.ViaProvider, provider.Name, StringComparison.OrdinalIgnoreCase))
                {
                    owners.Add(provider.Name);
                }
            }

            foreach (var identity in identities)
            {
                if (string.Equals(integration.ViaIdentity, identity.Name, StringComparison.OrdinalIgnoreCase)
                    || (integration.ViaProvider is not null && string.Equals(integration.ViaProvider, graph.RootProvider(identity)?.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    owners.Add(identity.Name);
                }
            }

            if (owners.Count > 0)
            {
                result.Add(new IntegrationOwners(integration, owners));
            }
        }

        return result;
    }

    private void AddShares(ResolvedTarget target, ConfigGraph graph, Func<string, PluginShare> For)
    {
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
    }

    /// <summary>
    /// Reads the keyring entries of <paramref name="principals"/> in one call. A keyring that cannot be read (locked,
    /// no service, access denied, timed out) is not an error here: the reason comes back and nothing is known.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, string?> Entries, string? Problem)> ReadKeyringAsync(IReadOnlyList<ScopePrincipal> principals, CancellationToken cancellationToken)
    {
        try
        {
            // Every key form of every principal in one call: the backends answer many names in one round trip.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var principal in principals)
            {
                keys.UnionWith(principal.Keys);
            }

            return (await _context.Keyring.GetManyAsync(keys, cancellationToken).ConfigureAwait(false), null);
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
    /// The keys of each principal (by position) found in <paramref name="found"/>, current form first, and every found
    /// entry parsed for classification. A key belongs to the first principal naming it: a provider and an identity of
    /// one name share their entries, which are removed (and shown) once.
    /// </summary>
    public static (List<string>[] KeysOf, List<(string Key, KeyringEntry Entry)> Entries) FoundKeys(IReadOnlyList<ScopePrincipal> principals, IReadOnlyDictionary<string, string?> found)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var keysOf = new List<string>[principals.Count];
        var entries = new List<(string Key, KeyringEntry Entry)>();
        for (var i = 0; i < principals.Count; i++)
        {
            var principal = principals[i];
            keysOf[i] = [];
            foreach (var key in principal.Keys)
            {
                if (found.TryGetValue(key, out var secret) && claimed.Add(key))
                {
                    keysOf[i].Add(key);
                    entries.Add((key, KeyringEnvelope.Parse(principal.Name, principal.Kind, secret)));
                }
            }
        }

        return (keysOf, entries);
    }

    /// <summary>
    /// Asks the plugin that owns each entry's kind whether it is session data or a long-lived credential, each plugin
    /// once for all of its entries; an entry fails (with the reason) when no usable plugin owns its kind. Returns, by
    /// keyring key, the answer and the owning plugin's name when there is one.
    /// </summary>
    public IReadOnlyDictionary<string, (PluginCall<CredentialClass> Class, string? Plugin)> ClassifyAll(IReadOnlyList<(string Key, KeyringEntry Entry)> entries, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, (PluginCall<CredentialClass> Class, string? Plugin)>(StringComparer.Ordinal);
        var waiting = new Dictionary<GuardedPlugin, List<(string Key, KeyringEntry Entry)>>();
        // An index loop: enumerating a list of tuples through its interface JIT-compiles the enumerator at every run.
        for (var i = 0; i < entries.Count; i++)
        {
            var item = entries[i];
            var owner = _context.Catalog.Resolve(item.Entry.Kind);
            if (owner.Plugin is not { IsAvailable: true } plugin)
            {
                results[item.Key] = (new PluginCall<CredentialClass>(default, owner.Problem), owner.Plugin?.Name);
                continue;
            }

            var loaded = _context.Catalog.Load(plugin);
            if (!waiting.TryGetValue(loaded, out var batch))
            {
                waiting[loaded] = batch = [];
            }

            batch.Add(item);
        }

        foreach (var (plugin, batch) in waiting)
        {
            var answers = plugin.CallEach("Classify", batch, static (p, item) => PluginAnswers.Class(p.Classify(item.Entry)), cancellationToken);
            for (var k = 0; k < batch.Count; k++)
            {
                results[batch[k].Key] = (answers[k], plugin.Name);
            }
        }

        return results;
    }

    /// <summary>
    /// Which of <paramref name="kinds"/> leave a keyring entry of their own, as the plugin owning each says
    /// (<see cref="IProviderPlugin.LeavesKeyringEntry"/>), each plugin asked once. A kind no usable plugin owns is
    /// assumed to leave one: its missing entry is reported rather than passed over.
    /// </summary>
    public IReadOnlySet<string> KindsLeavingKeyringEntries(IReadOnlyCollection<string> kinds, CancellationToken cancellationToken)
    {
        var leaving = new HashSet<string>(StringComparer.Ordinal);
        var waiting = new Dictionary<GuardedPlugin, List<string>>();
        foreach (var kind in kinds.Distinct(StringComparer.Ordinal))
        {
            var owner = _context.Catalog.Resolve(kind);
            if (owner.Plugin is not { IsAvailable: true } plugin || _context.Catalog.Load(plugin) is not { LoadFailure: null } loaded)
            {
                leaving.Add(kind);
                continue;
            }

            if (!waiting.TryGetValue(loaded, out var batch))
            {
                waiting[loaded] = batch = [];
            }

            batch.Add(kind);
        }

        foreach (var (plugin, batch) in waiting)
        {
            var answers = plugin.CallEach("LeavesKeyringEntry", batch, static (p, kind) => p.LeavesKeyringEntry(kind), cancellationToken);
            for (var k = 0; k < batch.Count; k++)
            {
                if (!answers[k].Succeeded || answers[k].Value)
                {
                    leaving.Add(batch[k]);
                }
            }
        }

        return leaving;
    }

    /// <summary>What <paramref name="plugin"/> is asked to plan or inspect for its share of the scope.</summary>
    public PlanRequest Request(PluginShare share, GuardedPlugin plugin, ScopeKind scope)
    {
        // One target per provider: a thousand identities of twenty providers resolved their root's folders a thousand times.
        var targets = new Dictionary<string, ProviderTarget>(StringComparer.Ordinal);
        var providers = share.Providers.Select(p => Target(targets, p, plugin.Cloud)).ToList();
        var identities = share.Identities.Select(i => IdentityTarget(targets, i, plugin.Cloud)).ToList();
        var requestScope = scope is ScopeKind.All or ScopeKind.AllRealms ? LogoutScope.All : providers.Count > 0 ? LogoutScope.Provider : LogoutScope.Identity;
        return new PlanRequest(requestScope, providers, identities, _context.EnvironmentFor(plugin.Cloud, plugin.Name))
        {
            Integrations = share.Integrations.Select(i => _context.IntegrationTarget(i.Integration, i.Owners)).ToList(),
        };
    }

    private ProviderTarget Target(Dictionary<string, ProviderTarget> targets, ProviderConfig provider, string cloud)
    {
        var key = cloud + "/" + provider.Name;
        if (!targets.TryGetValue(key, out var target))
        {
            targets[key] = target = _context.ProviderTarget(provider, cloud);
        }

        return target;
    }

    private IdentityTarget IdentityTarget(Dictionary<string, ProviderTarget> targets, IdentityConfig identity, string fallbackCloud)
    {
        var graph = _context.Graph;
        var root = graph.RootProvider(identity);
        ProviderTarget? provider = null;
        if (root is not null)
        {
            var owner = _context.Catalog.Resolve(root.Kind);
            var cloud = owner.Plugin is { IsAvailable: true } plugin && _context.Catalog.Load(plugin) is { LoadFailure: null } loaded ? loaded.Cloud : fallbackCloud;
            provider = Target(targets, root, cloud);
        }

        return new IdentityTarget(identity.Name, identity.Kind, graph.Chain(identity), provider, identity.Settings);
    }

    // An identity's chain, root first, as identity scope plans it.
    private IEnumerable<ScopePrincipal> ChainOf(IdentityConfig identity, bool alwaysPlanned)
    {
        var root = _context.Graph.RootProvider(identity);
        foreach (var name in _context.Graph.Chain(identity))
        {
            // A dangling via names nothing: that link is reported by Blocked, not planned.
            if (_context.Config.FindProvider(name) is { } provider)
            {
                yield return Principal(name, provider.Kind, PrincipalRole.Provider, null, alwaysPlanned);
            }
            else if (_context.Config.FindIdentity(name) is { } link)
            {
                yield return Principal(name, link.Kind, PrincipalRole.Identity, root?.Name, alwaysPlanned);
            }
        }
    }

    private void AddTree(ProviderConfig provider, ConfigGraph graph, List<ScopePrincipal> result)
    {
        result.Add(Principal(provider.Name, provider.Kind, PrincipalRole.Provider, null, false));
        result.AddRange(graph.Descendants(provider.Name).Select(i => Principal(i.Name, i.Kind, PrincipalRole.Identity, provider.Name, false)));
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
