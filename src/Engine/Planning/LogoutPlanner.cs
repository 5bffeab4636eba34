using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
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

        // 1. Keyring: one batched read of every key form of every principal the scope could remove, then each key found
        //    classified through the plugin owning its principal's kind.
        var (found, keyringProblem) = await members.ReadKeyringAsync(principals, cancellationToken).ConfigureAwait(false);
        var (presentKeys, parsed) = ScopeMembers.FoundKeys(principals, found);
        // An unreadable keyring (locked, no service) hides what it holds, and whatever it holds would go: each principal
        // is then classified by its kind alone (an entry without an envelope, under a key of its own), so that a keychain
        // credential's kind (aws/user) is kept without --keychain rather than planned as a session removal.
        var classOf = members.ClassifyAll(
            keyringProblem is null
                ? parsed
                : principals.Select((p, i) => (KindOnlyKey(i), new KeyringEntry(p.Name, p.Kind, null, new Dictionary<string, string?>()))).ToList(),
            cancellationToken);

        // Chain links with no entry under any key form are reported missing only when their kind leaves one (REAL-ATMOS
        // §2: assumed-role sessions live in files, ambient kinds hold nothing).
        var absentKinds = keyringProblem is null
            ? principals.Where((p, i) => p.AlwaysPlanned && presentKeys[i].Count == 0).Select(p => p.Kind).ToList()
            : [];
        var leaving = absentKinds.Count == 0 ? new HashSet<string>() : members.KindsLeavingKeyringEntries(absentKinds, cancellationToken);

        for (var i = 0; i < principals.Count; i++)
        {
            var principal = principals[i];
            var keys = presentKeys[i];
            var step = new StepData
            {
                Index = 0,
                Type = StepType.Keyring,
                Target = principal.Name,
                Principals = [principal.Name],
                Role = principal.Role,
                Kind = principal.Kind,
                Via = principal.Via,
                Class = StepClass.Session,
            };
            if (keyringProblem is not null)
            {
                var uncheckable = step with { Presence = Presence.Unknown, Keys = principal.Keys, Note = $"cannot check: {keyringProblem}" };
                if (classOf[KindOnlyKey(i)].Class is { Succeeded: true, Value: CredentialClass.LongLived })
                {
                    (keychain ? steps : preserved).Add(uncheckable with { Class = StepClass.LongLived });
                }
                else
                {
                    steps.Add(uncheckable);
                }

                continue;
            }

            if (keys.Count == 0)
            {
                if (principal.AlwaysPlanned && leaving.Contains(principal.Kind))
                {
                    steps.Add(step with { Presence = Presence.Absent, Keys = principal.Keys });
                }

                continue;
            }

            // Keys of one class make one step (one line per principal); a principal whose keys differ in class (an old
            // session key beside a keychain credential) gets one per class.
            step = step with { Presence = Presence.Present };
            var session = new List<string>();
            var longLived = new List<string>();
            var unknown = new List<string>();
            string? owner = null;
            string? failure = null;
            foreach (var key in keys)
            {
                var (classified, plugin) = classOf[key];
                owner ??= plugin;
                if (!classified.Succeeded)
                {
                    failure ??= classified.Failure;
                    unknown.Add(key);
                }
                else
                {
                    (classified.Value == CredentialClass.LongLived ? longLived : session).Add(key);
                }
            }

            if (session.Count > 0)
            {
                steps.Add(step with { Keys = session, Plugin = owner });
            }

            if (longLived.Count > 0)
            {
                (keychain ? steps : preserved).Add(step with { Keys = longLived, Class = StepClass.LongLived, Plugin = owner });
            }

            if (unknown.Count > 0)
            {
                steps.Add(step with
                {
                    Keys = unknown,
                    Class = StepClass.Unknown,
                    Plugin = owner,
                    Blocked = keychain ? null : "cannot tell session from keychain credential",
                    BlockedDetail = keychain ? null : $"{failure}; the entry was kept (use --keychain to delete it regardless)",
                });
            }
        }

        // Identities and providers whose configuration is broken: one failed step each, naming the problem.
        foreach (var broken in members.Blocked(target))
        {
            steps.Add(new StepData
            {
                Index = 0,
                Type = StepType.Config,
                Target = broken.Name,
                Principals = [broken.Name],
                Role = broken.Role,
                Class = StepClass.Unknown,
                Blocked = "invalid configuration",
                BlockedDetail = $"not logged out: {broken.Problem}",
            });
        }

        // 2. Files: each plugin plans its own share, batched per plugin so a file is rewritten at most once.
        foreach (var share in shares)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PlanFiles(members, share, target.Scope, keychain, steps, preserved, failures, cancellationToken);
        }

        // 3. --all-realms: what atmos left in every other realm, and every atmos_ keyring entry nobody here claims.
        if (target.Scope == ScopeKind.AllRealms)
        {
            var allForms = principals.SelectMany(p => p.Keys).ToHashSet(StringComparer.Ordinal);
            await PlanForeignKeysAsync(allForms, keychain, steps, preserved, cancellationToken).ConfigureAwait(false);
            steps.AddRange(new RealmSweep(_context).FileSteps(steps.Where(s => s.Type == StepType.Files).SelectMany(s => s.Paths).ToList()));
        }

        var numbered = steps.Select((s, i) => StepCommand.For(s with { Index = i })).ToList();
        return new LogoutPlan(target.Identity is null ? null : _context.Graph.Chain(target.Identity), numbered, preserved, failures);
    }

    // The key under which a principal's kind-only classification is kept when the keyring cannot be read (no real key is
    // known then, and a provider and an identity may share a name).
    private static string KindOnlyKey(int principal) => $"#{principal}";

    // Every atmos_ entry the keyring lists that no principal of this config claims (another realm's, another config's),
    // read in one batch and classified from its envelope alone.
    private async Task PlanForeignKeysAsync(IReadOnlySet<string> claimed, bool keychain, List<StepData> steps, List<StepData> preserved, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> foreign;
        IReadOnlyDictionary<string, string?> values;
        try
        {
            foreign = RealmSweep.ForeignKeys(await _context.Keyring.ListAsync(cancellationToken).ConfigureAwait(false), claimed);
            values = foreign.Count == 0 ? new Dictionary<string, string?>() : await _context.Keyring.GetManyAsync(foreign, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyringUnavailableException ex)
        {
            steps.Add(CannotList(ex.Reason, ex.Fix));
            return;
        }
        catch (KeyringOperationException ex)
        {
            steps.Add(CannotList(ex.Reason, ex.Fix));
            return;
        }

        foreach (var key in foreign)
        {
            if (!values.TryGetValue(key, out var secret))
            {
                continue; // gone since it was listed
            }

            var @class = RealmSweep.ClassOf(KeyringEnvelope.Parse(key, string.Empty, secret));
            var step = new StepData
            {
                Index = 0,
                Type = StepType.Keyring,
                Target = key,
                Keys = [key],
                Principals = [key],
                Presence = Presence.Present,
                Class = @class,
                Note = "not in this config",
            };
            if (@class == StepClass.LongLived && !keychain)
            {
                preserved.Add(step);
            }
            else if (@class == StepClass.Unknown && !keychain)
            {
                steps.Add(step with
                {
                    Blocked = "cannot tell session from keychain credential",
                    BlockedDetail = "its value is not an atmos credential envelope, so its kind is unknown; the entry was kept (use --keychain to delete it regardless)",
                });
            }
            else
            {
                steps.Add(step);
            }
        }
    }

    private static StepData CannotList(string reason, string fix) => new()
    {
        Index = 0,
        Type = StepType.Keyring,
        Target = KeyringKeys.Prefix + "*",
        Principals = [KeyringKeys.Prefix + "*"],
        Class = StepClass.Unknown,
        Blocked = $"cannot list the keyring: {reason}",
        BlockedDetail = $"the atmos_ entries of other realms could not be listed: {reason}; {fix}",
    };

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
        if (work.Plugin is null && work.IsUnknownKind)
        {
            // A kind no plugin declares (a newer atmos's, a removed plugin's): its files cannot be looked for.
            var broken = _context.Catalog.Problems.Count == 0 ? string.Empty : $" (a plugin manifest is broken: {string.Join("; ", _context.Catalog.Problems)})";
            steps.Add(Blocked(work.Kinds, names, $"no plugin owns kind '{work.Kinds}'{broken}; the files of {string.Join(", ", names)} were not looked for: install the plugin that provides it (atmos plugins list shows what is installed)") with { Blocked = "no plugin owns this kind" });
            return;
        }

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

        // The plan is read whole (and bounded) inside the guarded call: a list that throws or hangs when enumerated is
        // this call's failure, and what is checked below is the host's own copy.
        var planned = plugin.Call("Plan", p => PluginAnswers.Steps(p.Plan(request)), cancellationToken);
        if (!planned.Succeeded)
        {
            steps.Add(Blocked(plugin.Name, names, planned.Failure!));
            return;
        }

        var roots = StepGuard.Roots(request, work.Plugin, _context.Paths);
        foreach (var fileStep in planned.Value!)
        {
            var problem = StepGuard.Problem(fileStep, roots, _context);
            if (problem is not null)
            {
                steps.Add(Blocked(plugin.Name, names, $"plugin '{plugin.Name}' returned an invalid step: {problem}"));
                continue;
            }

            var data = StepData.ForFiles(plugin.Name, fileStep!);
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
