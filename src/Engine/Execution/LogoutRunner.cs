using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Projections;
using Mediator;
using static Atmos.Plugins.Engine.Execution.LogoutLifecycle;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// Runs one logout: target, plan, confirmation, steps. Each turn fires the lifecycle and records events; the steps go
/// through the mediator pipeline. Returns the folded state, from which the host takes the exit code.
/// </summary>
public sealed class LogoutRunner
{
    private readonly RunContext _context;
    private readonly IUserInteraction _interaction;
    private readonly EventLog _log;
    private readonly ISender _sender;
    private readonly LogoutLifecycle _lifecycle = new();

    /// <summary>Creates a runner for one run.</summary>
    /// <param name="context">Config, plugins, keyring, paths.</param>
    /// <param name="interaction">Prompts.</param>
    /// <param name="log">The run's event log.</param>
    /// <param name="sender">The mediator.</param>
    public LogoutRunner(RunContext context, IUserInteraction interaction, EventLog log, ISender sender)
    {
        _context = context;
        _interaction = interaction;
        _log = log;
        _sender = sender;
    }

    /// <summary>Where the lifecycle ended.</summary>
    public State Lifecycle => _lifecycle.Current;

    /// <summary>Runs the logout.</summary>
    /// <param name="options">The flags.</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    public async Task<RunState> RunAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var optionErrors = LogoutOptionsValidator.Shared.Validate(options).Errors.Where(e => e.Severity == FluentValidation.Severity.Error).ToList();
        var scope = options.AllRealms ? ScopeKind.AllRealms
            : options.All ? ScopeKind.All
            : options.Tags is not null ? ScopeKind.Tags
            : options.Provider is not null ? ScopeKind.Provider
            : options.Identity is not null && !options.PickIdentity ? ScopeKind.Identity
            : ScopeKind.None;
        var target = scope switch
        {
            ScopeKind.Identity => options.Identity,
            ScopeKind.Provider => options.Provider,
            ScopeKind.Tags => string.Join(",", options.Tags!),
            _ => null,
        };

        if (optionErrors.Count > 0)
        {
            Requested(scope, target, options);
            return Reject(optionErrors[0].ErrorMessage, hint: "Run 'atmos auth logout --help' for usage.");
        }

        // Only errors about the configuration as a whole stop the run; an error about some identities or providers fails
        // their steps (the planner's config steps) and the rest is logged out.
        var configErrors = _context.Problems.Where(p => p.IsGlobalError).ToList();
        if (configErrors.Count > 0)
        {
            Requested(scope, target, options);
            return configErrors.Count == 1
                ? Reject($"invalid configuration: {configErrors[0]}", hint: "Fix it, then check with 'atmos auth validate'.")
                : Reject($"invalid configuration ({configErrors.Count} problems)", "Problems:", configErrors.Select(p => p.ToString()).ToList(), "Fix them, then check with 'atmos auth validate'.");
        }

        if (options.Keychain && !options.Force && !options.DryRun && !_interaction.CanPrompt)
        {
            Requested(scope, target, options);
            return Reject("--keychain permanently deletes keychain credentials and needs confirmation, but there is no terminal to ask; add --force to confirm non-interactively (CI/CD)");
        }

        ResolvedTarget resolved;
        if (scope == ScopeKind.None)
        {
            var picked = await PickAsync(options, cancellationToken).ConfigureAwait(false);
            if (picked is null)
            {
                return _log.State;
            }

            resolved = picked;
        }
        else
        {
            Requested(scope, target, options);
            var found = Resolve(scope, target!);
            if (found is null)
            {
                return _log.State;
            }

            resolved = found;
            _lifecycle.Fire(Trigger.Plan);
        }

        // A chain through a broken link is not known: nothing is claimed about it (the planner fails that identity's step).
        if (resolved.Identity is not null && !_context.BlockedPrincipals.ContainsKey(resolved.Identity.Name))
        {
            _log.Record(new ChainResolved { Identity = resolved.Identity.Name, Chain = _context.Graph.Chain(resolved.Identity) });
        }

        LogoutPlan plan;
        try
        {
            plan = await new LogoutPlanner(_context).PlanAsync(resolved, options.Keychain, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _lifecycle.Fire(Trigger.Cancel);
            _log.Record(new LogoutCancelled { Reason = CancelReason.Interrupted });
            return Complete();
        }

        foreach (var (plugin, reason) in plan.PluginFailures)
        {
            _log.Record(new PluginLoadFailed { Plugin = plugin, Reason = reason });
        }

        foreach (var step in plan.Steps)
        {
            _log.Record(new StepPlanned { Step = step });
        }

        foreach (var kept in plan.Preserved)
        {
            _log.Record(new CredentialPreserved { Step = kept });
        }

        if (options.DryRun)
        {
            _lifecycle.Fire(Trigger.Preview);
            return Complete();
        }

        if (options.Keychain)
        {
            if (options.Force)
            {
                _log.Record(new LogoutConfirmed { Forced = true });
            }
            else
            {
                _lifecycle.Fire(Trigger.AskConfirmation);
                var subject = resolved.Scope switch { ScopeKind.All => "all identities", ScopeKind.AllRealms => "all identities in every realm", _ => resolved.Name! };
                var entries = plan.KeychainSteps.Select(s => s.Type == StepType.Keyring ? $"Keyring: {s.Target}" : $"Files: {HumanOutput.Display(s.Target, _context.Paths.Home)}").ToList();
                var answer = await _interaction.ConfirmKeychainDeletionAsync(subject, entries, cancellationToken).ConfigureAwait(false);
                if (answer is not true)
                {
                    _lifecycle.Fire(Trigger.Cancel);
                    _log.Record(new LogoutCancelled { Reason = answer is false ? CancelReason.Declined : CancelReason.Interrupted });
                    return Complete();
                }

                _log.Record(new LogoutConfirmed { Forced = false });
            }
        }

        _lifecycle.Fire(Trigger.Remove);
        _log.Record(new RemovalStarted { Steps = plan.Steps.Count });
        foreach (var step in plan.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            await _sender.Send(StepCommand.For(step), cancellationToken).ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            _lifecycle.Fire(Trigger.Interrupt);
            _log.Record(new LogoutInterrupted());
        }

        _lifecycle.Fire(Trigger.Finish);
        return Complete();
    }

    // The picker: identities, then providers, then everything (SPEC §3). Without a terminal it is a usage error listing the choices.
    private async Task<ResolvedTarget?> PickAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        var choices = Choices(_context.Config);
        if (!_interaction.CanPrompt)
        {
            Requested(ScopeKind.None, null, options);
            Reject(
                "no identity given and no terminal to choose one; pass an identity, --provider NAME or --all",
                "Choices:",
                choices.Select(c => c.Label).ToList(),
                "Run 'atmos auth logout <identity>' or set ATMOS_IDENTITY.");
            return null;
        }

        _lifecycle.Fire(Trigger.NeedTarget);
        PickChoice? chosen;
        try
        {
            chosen = choices.Count == 0 ? null : await _interaction.PickTargetAsync(choices, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            chosen = null;
        }

        if (choices.Count == 0)
        {
            Requested(ScopeKind.None, null, options);
            Reject("there is nothing to log out from: atmos.yaml defines no identities or providers", hint: "Add them under auth: in atmos.yaml.");
            return null;
        }

        if (chosen is null)
        {
            Requested(ScopeKind.None, null, options);
            _lifecycle.Fire(Trigger.Cancel);
            _log.Record(new LogoutCancelled { Reason = CancelReason.Interrupted });
            Complete();
            return null;
        }

        Requested(chosen.Scope, chosen.Target, options);
        var resolved = Resolve(chosen.Scope, chosen.Target!);
        if (resolved is not null)
        {
            _lifecycle.Fire(Trigger.Plan);
        }

        return resolved;
    }

    /// <summary>The picker's rows, in order: identities, providers, tags, all (each group sorted by name).</summary>
    /// <param name="config">The config.</param>
    public static IReadOnlyList<PickChoice> Choices(AuthConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var choices = config.Identities.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => new PickChoice($"Identity: {i.Name}", ScopeKind.Identity, i.Name))
            .Concat(config.Providers.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new PickChoice($"Provider: {p.Name} (removes all identities)", ScopeKind.Provider, p.Name)))
            .Concat(ConfigTags.All(config).Select(tag => new PickChoice($"Tag: {tag} ({TagReach(config, tag)})", ScopeKind.Tags, tag)))
            .ToList();
        if (choices.Count > 0)
        {
            choices.Add(new PickChoice("All identities (complete logout)", ScopeKind.All, null));
            choices.Add(new PickChoice("All realms (everything atmos left on this machine)", ScopeKind.AllRealms, null));
        }

        return choices;
    }

    private static string TagReach(AuthConfig config, string tag)
    {
        var wanted = new[] { tag };
        var providers = config.Providers.Count(p => ConfigTags.MatchesAny(ConfigTags.Of(p.Settings), wanted));
        var identities = config.Identities.Count(i => ConfigTags.MatchesAny(ConfigTags.Of(i.Settings), wanted));
        var parts = new List<string>();
        if (providers > 0)
        {
            parts.Add(providers == 1 ? "1 provider" : $"{providers} providers");
        }

        if (identities > 0)
        {
            parts.Add(identities == 1 ? "1 identity" : $"{identities} identities");
        }

        return string.Join(", ", parts);
    }

    private ResolvedTarget? Resolve(ScopeKind scope, string target)
    {
        var (resolved, rejection) = TargetResolver.Resolve(_context.Config, scope, target, "Run 'atmos auth logout' without arguments for interactive selection.");
        if (rejection is not null)
        {
            Reject(rejection.Error, rejection.ChoicesTitle, rejection.Choices, rejection.Hint, rejection.Searched);
        }

        return resolved;
    }

    private void Requested(ScopeKind scope, string? target, LogoutOptions options) =>
        _log.Record(new LogoutRequested
        {
            Scope = scope,
            Target = target,
            DryRun = options.DryRun,
            Keychain = options.Keychain,
            Force = options.Force,
            Home = _context.Paths.Home,
            Realm = _context.Realm.Value,
            ConfigFiles = _context.Config.Files.Count > 0 ? _context.Config.Files : null,
        });

    private RunState Reject(string error, string? choicesTitle = null, IReadOnlyList<string>? choices = null, string? hint = null, IReadOnlyList<string>? searched = null)
    {
        _lifecycle.Fire(Trigger.Reject);
        _log.Record(new LogoutRejected { Error = error, ChoicesTitle = choicesTitle, Choices = choices ?? [], Hint = hint, Searched = searched });
        return Complete();
    }

    private RunState Complete()
    {
        _log.Record(new LogoutCompleted());
        return _log.State;
    }
}
