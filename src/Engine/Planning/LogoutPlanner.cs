using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>A resolved target: the configured identity or provider, what carries some tags, or everything.</summary>
/// <param name="Scope">Identity, provider, tags or all.</param>
/// <param name="Identity">For identity scope.</param>
/// <param name="Provider">For provider scope.</param>
/// <param name="Tagged">For tags scope.</param>
public sealed record ResolvedTarget(ScopeKind Scope, IdentityConfig? Identity = null, ProviderConfig? Provider = null, TaggedTargets? Tagged = null)
{
    /// <summary>The name shown in output.</summary>
    public string? Name => Identity?.Name ?? Provider?.Name ?? (Tagged is null ? null : $"everything tagged {string.Join(", ", Tagged.Tags)}");
}

/// <summary>What <c>--tags</c> selects: the providers (logged out whole) and identities carrying any of the tags.</summary>
/// <param name="Tags">The tags asked for.</param>
/// <param name="Providers">Providers carrying one, sorted by name.</param>
/// <param name="Identities">Identities carrying one, sorted by name.</param>
public sealed record TaggedTargets(IReadOnlyList<string> Tags, IReadOnlyList<ProviderConfig> Providers, IReadOnlyList<IdentityConfig> Identities);

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
        var members = new ScopeMembers(_context);
        var shares = members.PluginShares(target);
        StartLoading(shares);
        var principals = members.Principals(target);
        var steps = new List<StepData>();
        var preserved = new List<StepData>();
        var failures = new List<PluginFailure>();

        // 1. Keyring: one batched read of every entry the scope could remove, then classify each through its plugin.
        var (found, keyringProblem) = await members.ReadKeyringAsync(principals, cancellationToken).ConfigureAwait(false);
        var present = keyringProblem is null ? principals.Where(p => found.ContainsKey(p.Name)) : [];
        var classOf = members.ClassifyAll(present.Select(p => KeyringEnvelope.Parse(p.Name, p.Kind, found[p.Name])).ToList(), cancellationToken);

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
                var (classified, owner) = classOf[principal.Name];
                step = classified.Succeeded
                    ? step with { Class = StepData.From(classified.Value), Plugin = owner }
                    : step with
                    {
                        Class = StepClass.Unknown,
                        Plugin = owner,
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
        foreach (var share in shares)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PlanFiles(members, share, target.Scope, keychain, steps, preserved, failures, cancellationToken);
        }

        var numbered = steps.Select((s, i) => s with { Index = i }).ToList();
        return new LogoutPlan(target.Identity is null ? null : _context.Graph.Chain(target.Identity), numbered, preserved, failures);
    }

    // The plugins the file steps need start loading now, on another core, while this thread reads and classifies the
    // keyring: a load is milliseconds of opening assemblies that the plan would otherwise wait for in turn. Only those
    // plugins, each once (the catalog loads a plugin once; PlanFiles then takes it, waiting if it is still loading).
    private void StartLoading(IReadOnlyList<PluginShare> shares)
    {
        if (Environment.ProcessorCount < 2)
        {
            return;
        }

        foreach (var share in shares)
        {
            if (share.Plugin is { IsAvailable: true } plugin)
            {
                _ = Task.Run(() => _context.Catalog.Load(plugin));
            }
        }
    }

    private void PlanFiles(ScopeMembers members, PluginShare work, ScopeKind scope, bool keychain, List<StepData> steps, List<StepData> preserved, List<PluginFailure> failures, CancellationToken cancellationToken)
    {
        var names = work.Names;
        if (work.Plugin is not { IsAvailable: true })
        {
            var reason = work.Problem ?? "no plugin";
            if (work.Plugin is not null && !failures.Any(f => f.Plugin == work.Plugin.Name))
            {
                failures.Add(new PluginFailure(work.Plugin.Name, work.Plugin.Problem ?? reason));
            }

            steps.Add(Blocked(work.Plugin?.Name ?? work.Kinds, names, reason));
            return;
        }

        var plugin = _context.Catalog.Load(work.Plugin);
        if (plugin.LoadFailure is not null)
        {
            if (!failures.Any(f => f.Plugin == plugin.Name))
            {
                failures.Add(new PluginFailure(plugin.Name, plugin.LoadFailure));
            }

            steps.Add(Blocked(plugin.Name, names, $"plugin '{plugin.Name}' failed to load: {plugin.LoadFailure}"));
            return;
        }

        var request = members.Request(work, plugin, scope);
        var planned = plugin.Call("Plan", p => p.Plan(request), cancellationToken);
        if (!planned.Succeeded || planned.Value is null)
        {
            steps.Add(Blocked(plugin.Name, names, planned.Failure ?? $"plugin '{plugin.Name}' returned no plan (null instead of a list of steps)"));
            return;
        }

        // Where this plugin may write: every base folder of its providers (each layout's), its default base folders, and
        // atmos' XDG cache and data folders for its own caches (they may lie outside the home folder). Distinct: providers
        // mostly share their base folders, and every step is checked against every root (a list per provider made --all
        // quadratic).
        var roots = request.Providers.SelectMany(p => p.Folders)
            .Concat(request.Identities.Where(i => i.Provider is not null).SelectMany(i => i.Provider!.Folders))
            .Select(f => f.BaseFolder)
            .Concat(request.Environment.DefaultBaseFolders)
            .Append(request.Environment.AtmosCacheHome)
            .Append(request.Environment.AtmosDataHome)
            .Distinct(StringComparer.Ordinal)
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
}
