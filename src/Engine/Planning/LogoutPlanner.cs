using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>A resolved target: the configured identity or provider, or everything.</summary>
/// <param name="Scope">Identity, provider or all.</param>
/// <param name="Identity">For identity scope.</param>
/// <param name="Provider">For provider scope.</param>
public sealed record ResolvedTarget(ScopeKind Scope, IdentityConfig? Identity = null, ProviderConfig? Provider = null)
{
    /// <summary>The name shown in output.</summary>
    public string? Name => Identity?.Name ?? Provider?.Name;
}

/// <summary>
/// Builds a <see cref="LogoutPlan"/> (SPEC §3): keyring steps for the chain or the provider's tree, then the plugins'
/// file steps. Reads the keyring once and the file system through the plugins; writes nothing.
/// </summary>
public sealed class LogoutPlanner
{
    private readonly RunContext _context;

    /// <summary>Creates a planner.</summary>
    /// <param name="context">Config, plugins, keyring, paths.</param>
    public LogoutPlanner(RunContext context) => _context = context;

    /// <summary>Plans a logout.</summary>
    /// <param name="target">What to log out.</param>
    /// <param name="keychain">Whether long-lived credentials go too.</param>
    /// <param name="cancellationToken">Stops planning.</param>
    public async Task<LogoutPlan> PlanAsync(ResolvedTarget target, bool keychain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var graph = _context.Graph;
        var principals = Principals(target, graph);
        var steps = new List<StepData>();
        var preserved = new List<StepData>();
        var failures = new List<(string Plugin, string Reason)>();

        // 1. Keyring: one batched read of every entry the scope could remove, then classify each through its plugin.
        IReadOnlyDictionary<string, string> found = new Dictionary<string, string>();
        string? keyringProblem = null;
        try
        {
            found = await _context.Keyring.GetManyAsync(principals.Select(p => p.Name).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (KeyringUnavailableException ex)
        {
            keyringProblem = ex.Reason;
        }

        foreach (var principal in principals)
        {
            var presence = keyringProblem is not null ? Presence.Unknown : found.ContainsKey(principal.Name) ? Presence.Present : Presence.Absent;
            if (presence == Presence.Absent && !principal.AlwaysPlanned)
            {
                continue;
            }

            var step = new StepData
            {
                Index = 0,
                Type = StepType.Keyring,
                Target = principal.Name,
                Principals = [principal.Name],
                Role = principal.Role,
                Kind = principal.Kind,
                Via = principal.Via,
                Presence = presence,
                Class = StepClass.Session,
                Note = keyringProblem is null ? null : $"cannot check: {keyringProblem}",
            };
            if (presence == Presence.Present)
            {
                var owner = _context.Catalog.Resolve(principal.Kind);
                var classified = owner.Plugin is { IsAvailable: true } plugin
                    ? _context.Catalog.Load(plugin).Call("Classify", p => p.Classify(KeyringEnvelope.Parse(principal.Name, principal.Kind, found[principal.Name])), cancellationToken)
                    : new PluginCall<CredentialClass>(default, owner.Problem);
                step = classified.Succeeded
                    ? step with { Class = StepData.From(classified.Value), Plugin = owner.Plugin?.Name }
                    : step with
                    {
                        Class = StepClass.Unknown,
                        Plugin = owner.Plugin?.Name,
                        Blocked = keychain ? null : "cannot tell session from keychain credential",
                        BlockedDetail = keychain ? null : $"{classified.Failure}; the entry was kept (use --keychain to delete it regardless)",
                    };
            }

            if (step.Class == StepClass.LongLived && !keychain)
            {
                preserved.Add(step);
            }
            else
            {
                steps.Add(step);
            }
        }

        // 2. Files: each plugin plans its own share, batched per plugin so a file is rewritten at most once.
        foreach (var work in PluginWork(target, graph))
        {
            cancellationToken.ThrowIfCancellationRequested();
            PlanFiles(work, target.Scope, keychain, steps, preserved, failures, cancellationToken);
        }

        var numbered = steps.Select((s, i) => s with { Index = i }).ToList();
        return new LogoutPlan(target.Identity is null ? null : graph.Chain(target.Identity), numbered, preserved, failures);
    }

    private void PlanFiles(Work work, ScopeKind scope, bool keychain, List<StepData> steps, List<StepData> preserved, List<(string, string)> failures, CancellationToken cancellationToken)
    {
        var names = work.Providers.Select(p => p.Name).Concat(work.Identities.Select(i => i.Name)).ToList();
        if (work.Plugin is not { IsAvailable: true })
        {
            var reason = work.Problem ?? "no plugin";
            if (work.Plugin is not null && !failures.Any(f => f.Item1 == work.Plugin.Name))
            {
                failures.Add((work.Plugin.Name, work.Plugin.Problem ?? reason));
            }

            steps.Add(Blocked(work.Plugin?.Name ?? work.Kinds, names, reason));
            return;
        }

        var plugin = _context.Catalog.Load(work.Plugin);
        if (plugin.LoadFailure is not null)
        {
            if (!failures.Any(f => f.Item1 == plugin.Name))
            {
                failures.Add((plugin.Name, plugin.LoadFailure));
            }

            steps.Add(Blocked(plugin.Name, names, $"plugin '{plugin.Name}' failed to load: {plugin.LoadFailure}"));
            return;
        }

        var providerTargets = work.Providers.Select(p => _context.ProviderTarget(p, plugin.Cloud)).ToList();
        var identityTargets = work.Identities.Select(i => IdentityTarget(i, plugin.Cloud)).ToList();
        var environment = _context.EnvironmentFor(plugin.Cloud);
        var requestScope = scope == ScopeKind.All ? LogoutScope.All : providerTargets.Count > 0 ? LogoutScope.Provider : LogoutScope.Identity;
        var request = new PlanRequest(requestScope, providerTargets, identityTargets, environment);
        var planned = plugin.Call("Plan", p => p.Plan(request), cancellationToken);
        if (!planned.Succeeded || planned.Value is null)
        {
            steps.Add(Blocked(plugin.Name, names, planned.Failure ?? $"plugin '{plugin.Name}' returned no plan (null instead of a list of steps)"));
            return;
        }

        var roots = providerTargets.Select(p => p.BaseFolder)
            .Concat(identityTargets.Where(i => i.Provider is not null).Select(i => i.Provider!.BaseFolder))
            .Append(environment.DefaultBaseFolder)
            .ToList();
        foreach (var fileStep in planned.Value)
        {
            var problem = StepGuard.Problem(fileStep, roots, _context);
            if (problem is not null)
            {
                steps.Add(Blocked(plugin.Name, names, $"plugin '{plugin.Name}' returned an invalid step: {problem}"));
                continue;
            }

            var data = new StepData
            {
                Index = 0,
                Type = StepType.Files,
                Target = fileStep.Target,
                Principals = fileStep.Principals.ToList(),
                Class = StepData.From(fileStep.Class),
                Plugin = plugin.Name,
                Action = fileStep.Action,
                Paths = fileStep.Paths.ToList(),
                Note = fileStep.Note,
                Arguments = new Dictionary<string, string>(fileStep.Arguments, StringComparer.Ordinal),
            };
            if (data.Class == StepClass.LongLived && !keychain)
            {
                preserved.Add(data);
            }
            else
            {
                steps.Add(data);
            }
        }
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

    private static StepData Blocked(string plugin, IReadOnlyList<string> principals, string reason) => new()
    {
        Index = 0,
        Type = StepType.Plugin,
        Target = plugin,
        Principals = principals,
        Class = StepClass.Unknown,
        Plugin = plugin,
        Blocked = "plugin unavailable",
        BlockedDetail = reason,
    };

    // Keyring principals in output order: the chain root first (identity scope), or each provider followed by its
    // identities depth first (provider and all scopes), then standalone identities.
    private List<Principal> Principals(ResolvedTarget target, ConfigGraph graph)
    {
        var result = new List<Principal>();
        switch (target.Scope)
        {
            case ScopeKind.Identity:
                var identity = target.Identity!;
                var root = graph.RootProvider(identity);
                foreach (var name in graph.Chain(identity))
                {
                    result.Add(_context.Config.FindProvider(name) is { } provider
                        ? new Principal(name, provider.Kind, PrincipalRole.Provider, null, true)
                        : new Principal(name, _context.Config.FindIdentity(name)!.Kind, PrincipalRole.Identity, root?.Name, true));
                }

                break;
            case ScopeKind.Provider:
                AddTree(target.Provider!, graph, result);
                break;
            default:
                foreach (var provider in _context.Config.Providers.OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    AddTree(provider, graph, result);
                }

                foreach (var standalone in graph.StandaloneIdentities())
                {
                    result.Add(new Principal(standalone.Name, standalone.Kind, PrincipalRole.Identity, null, false));
                    result.AddRange(graph.Descendants(standalone.Name).Select(i => new Principal(i.Name, i.Kind, PrincipalRole.Identity, null, false)));
                }

                break;
        }

        return result;
    }

    private static void AddTree(ProviderConfig provider, ConfigGraph graph, List<Principal> result)
    {
        result.Add(new Principal(provider.Name, provider.Kind, PrincipalRole.Provider, null, false));
        result.AddRange(graph.Descendants(provider.Name).Select(i => new Principal(i.Name, i.Kind, PrincipalRole.Identity, provider.Name, false)));
    }

    // Which plugin plans which providers and identities, in the order they first appear.
    private List<Work> PluginWork(ResolvedTarget target, ConfigGraph graph)
    {
        var works = new List<Work>();
        Work For(string kind)
        {
            var owner = _context.Catalog.Resolve(kind);
            var key = owner.Plugin?.Name ?? owner.Problem ?? kind;
            var work = works.FirstOrDefault(w => w.Key == key);
            if (work is null)
            {
                work = new Work(key, owner.Plugin, owner.Problem, kind);
                works.Add(work);
            }

            return work;
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
            default:
                foreach (var provider in _context.Config.Providers.OrderBy(p => p.Name, StringComparer.Ordinal))
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

        return works;
    }

    private sealed record Principal(string Name, string Kind, PrincipalRole Role, string? Via, bool AlwaysPlanned);

    private sealed record Work(string Key, PluginDescriptor? Plugin, string? Problem, string Kinds)
    {
        public List<ProviderConfig> Providers { get; } = [];

        public List<IdentityConfig> Identities { get; } = [];
    }
}
