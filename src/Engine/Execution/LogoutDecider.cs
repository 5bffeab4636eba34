using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Projections;
using FluentValidation;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>What the runner tells the decider: what the user asked, or the result of an effect it carried out.</summary>
public abstract record RunCommand;

/// <summary>
/// The logout as asked: the flags, the configuration it runs against and, once shown, the picker's answer.
/// </summary>
/// <param name="Options">The flags.</param>
/// <param name="Context">Config, realm, paths (read only: deciding does no I/O).</param>
/// <param name="CanPrompt">Whether a terminal can show the picker and the confirmation.</param>
/// <param name="Picked">Whether the picker was shown (then <paramref name="Choice"/> is its answer).</param>
/// <param name="Choice">The picker's chosen row, or null when the user pressed Esc or Ctrl-C.</param>
public sealed record RequestLogout(LogoutOptions Options, RunContext Context, bool CanPrompt, bool Picked = false, PickChoice? Choice = null) : RunCommand;

/// <summary>The plan the planner made for the requested target.</summary>
/// <param name="Plan">The plan.</param>
public sealed record RecordPlan(LogoutPlan Plan) : RunCommand;

/// <summary>Go ahead with the removal.</summary>
/// <param name="Answer">The <c>--keychain</c> confirmation's answer when it was asked (null: Esc or Ctrl-C); null otherwise.</param>
public sealed record StartRemoval(bool? Answer = null) : RunCommand;

/// <summary>How one step of the plan ended.</summary>
/// <param name="Step">The step's index.</param>
/// <param name="Outcome">Its outcome.</param>
public sealed record RecordOutcome(int Step, StepOutcome Outcome) : RunCommand;

/// <summary>The run stops before removing anything (Ctrl-C while planning).</summary>
/// <param name="Reason">Why.</param>
public sealed record CancelLogout(CancelReason Reason) : RunCommand;

/// <summary>Every step ran, or Ctrl-C stopped the removal.</summary>
/// <param name="Interrupted">Whether Ctrl-C stopped it.</param>
public sealed record FinishLogout(bool Interrupted) : RunCommand;

/// <summary>Something unexpected (an exception: a bug) stopped the run.</summary>
/// <param name="Error">What failed, one line.</param>
public sealed record FailLogout(string Error) : RunCommand;

/// <summary>
/// The other half of <see cref="RunState.Evolve"/>: given what the runner learned and the state so far, what happened.
/// Pure (no I/O, no clock): the runner carries out the effects (picker, planning, prompt, steps) and records the events
/// this returns. Every event it returns is one <see cref="RunPhases"/> allows; anything else is a bug and throws.
/// </summary>
public static class LogoutDecider
{
    private const string UsageHint = "Run 'atmos auth logout --help' for usage.";

    /// <summary>The events <paramref name="command"/> leads to, in order.</summary>
    /// <param name="command">What the runner learned or did.</param>
    /// <param name="state">The run so far.</param>
    public static IReadOnlyList<LogoutEvent> Decide(RunCommand command, RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var events = command switch
        {
            RequestLogout c => Request(c, state),
            RecordPlan c => Planned(c.Plan, state),
            StartRemoval c => Remove(c, state),
            RecordOutcome c => [Outcome(c.Step, c.Outcome)],
            CancelLogout c => [new LogoutCancelled { Reason = c.Reason }, new LogoutCompleted()],
            FailLogout c => [new LogoutFailed { Error = c.Error }, new LogoutCompleted()],
            FinishLogout c => c.Interrupted ? [new LogoutInterrupted(), new LogoutCompleted()] : [new LogoutCompleted()],
            _ => throw new ArgumentException($"{command?.GetType().Name} is not a logout command", nameof(command)),
        };

        var phase = state.Phase;
        foreach (var logoutEvent in events)
        {
            if (!RunPhases.TryAfter(phase, logoutEvent, out phase))
            {
                throw new InvalidOperationException($"{command.GetType().Name} cannot record {logoutEvent.GetType().Name} in phase {phase}");
            }
        }

        return events;
    }

    /// <summary>Whether the run waits for the picker: the request was accepted but names no target yet.</summary>
    /// <param name="state">The run so far.</param>
    public static bool AwaitsPick(RunState state) => state.Phase == RunPhase.Created;

    /// <summary>Whether the removal needs the <c>--keychain</c> confirmation first.</summary>
    /// <param name="state">The run so far (planned: an empty plan leaves it in <see cref="RunPhase.Requested"/>).</param>
    public static bool AwaitsConfirmation(RunState state) =>
        state.Request is { Keychain: true, Force: false } && state.Phase is RunPhase.Requested or RunPhase.Planned;

    private static List<LogoutEvent> Request(RequestLogout command, RunState state)
    {
        var (options, context) = (command.Options, command.Context);
        var events = new List<LogoutEvent>();
        if (!command.Picked)
        {
            // Warnings, and errors that block only some entries without naming them (a broken plugins.json): the run goes on.
            events.AddRange(context.Problems
                .Where(p => p.IsPrintedBeforeRun)
                .Select(p => new ConfigWarningReported { Warning = p.ToString() }));
        }

        var choice = command.Choice;
        var scope = choice is null ? ScopeOf(options) : choice.Scope;
        var target = choice is null ? TargetOf(options, scope) : choice.Target;
        LogoutRequested Requested(ScopeKind scope, string? target) => new()
        {
            Scope = scope,
            Target = target,
            DryRun = options.DryRun,
            Keychain = options.Keychain,
            Force = options.Force,
            Home = context.Paths.Home,
            Realm = context.Realm.Value,
            ConfigFiles = context.Config.Files.Count > 0 ? context.Config.Files : null,
        };
        List<LogoutEvent> Reject(LogoutRejected rejected)
        {
            events.AddRange([Requested(scope, target), rejected, new LogoutCompleted()]);
            return events;
        }

        var optionError = options.UsageError ?? LogoutOptionsValidator.Shared.Validate(options).Errors.FirstOrDefault()?.ErrorMessage;
        if (optionError is not null)
        {
            // A parse error already ends "; run 'atmos auth logout --help' for usage": no second hint saying the same.
            return Reject(new LogoutRejected { Error = optionError, Hint = options.UsageError is null ? UsageHint : null });
        }

        // Only errors about the configuration as a whole stop the run; an error about some identities or providers fails
        // their steps (the planner's config steps) and the rest is logged out.
        var configErrors = context.Problems.Where(p => p.IsGlobalError).ToList();
        if (configErrors.Count > 0)
        {
            return Reject(configErrors.Count == 1
                ? new LogoutRejected { Error = $"invalid configuration: {configErrors[0]}", Hint = "Fix it, then check with 'atmos auth validate'." }
                : new LogoutRejected { Error = $"invalid configuration ({configErrors.Count} problems)", ChoicesTitle = "Problems:", Choices = configErrors.Select(p => p.ToString()).ToList(), Hint = "Fix them, then check with 'atmos auth validate'." });
        }

        if (options.Keychain && !options.Force && !options.DryRun && !command.CanPrompt)
        {
            return Reject(new LogoutRejected { Error = "--keychain permanently deletes keychain credentials and needs confirmation, but there is no terminal to ask; add --force to confirm non-interactively (CI/CD)" });
        }

        if (scope == ScopeKind.None)
        {
            // The picker: identities, then providers, then everything (SPEC §3). Without a terminal it is a usage error.
            var choices = PickChoices.Of(context.Config);
            if (!command.CanPrompt)
            {
                return Reject(new LogoutRejected
                {
                    Error = "no identity given and no terminal to choose one; pass an identity, --provider NAME or --all",
                    ChoicesTitle = "Choices:",
                    Choices = choices.Select(c => c.Label).ToList(),
                    Hint = "Run 'atmos auth logout <identity>' or set ATMOS_IDENTITY.",
                });
            }

            if (choices.Count == 0)
            {
                return Reject(new LogoutRejected { Error = "there is nothing to log out from: atmos.yaml defines no identities or providers", Hint = "Add them under auth: in atmos.yaml." });
            }

            if (!command.Picked)
            {
                return events; // the target comes from the picker: nothing more happens until it answers
            }

            events.AddRange([Requested(scope, target), new LogoutCancelled { Reason = CancelReason.Interrupted }, new LogoutCompleted()]);
            return events;
        }

        var (resolved, rejection) = TargetResolver.Resolve(context.Config, scope, target, "Run 'atmos auth logout' without arguments for interactive selection.");
        if (rejection is not null)
        {
            return Reject(rejection);
        }

        events.Add(Requested(scope, target));

        // A chain through a broken link is not known: nothing is claimed about it (the planner fails that identity's step).
        if (resolved!.Identity is { } identity && !context.BlockedPrincipals.ContainsKey(identity.Name))
        {
            events.Add(new ChainResolved { Identity = identity.Name, Chain = context.Graph.Chain(identity) });
        }

        return events;
    }

    /// <summary>The scope the flags name (none: the picker chooses).</summary>
    /// <param name="options">The flags.</param>
    public static ScopeKind ScopeOf(LogoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AllRealms ? ScopeKind.AllRealms
            : options.All ? ScopeKind.All
            : options.Tags is not null ? ScopeKind.Tags
            : options.Provider is not null ? ScopeKind.Provider
            : options.Identity is not null && !options.PickIdentity ? ScopeKind.Identity
            : ScopeKind.None;
    }

    private static string? TargetOf(LogoutOptions options, ScopeKind scope) => scope switch
    {
        ScopeKind.Identity => options.Identity,
        ScopeKind.Provider => options.Provider,
        ScopeKind.Tags => string.Join(",", options.Tags!),
        _ => null,
    };

    private static List<LogoutEvent> Planned(LogoutPlan plan, RunState state)
    {
        var events = new List<LogoutEvent>(plan.Steps.Count + plan.Preserved.Count + plan.PluginFailures.Count + 1);
        events.AddRange(plan.PluginFailures.Select(f => new PluginLoadFailed { Plugin = f.Plugin, Reason = f.Reason }));
        events.AddRange(plan.Steps.Select(c => new StepPlanned { Step = c.Step }));
        events.AddRange(plan.Preserved.Select(s => new CredentialPreserved { Step = s }));
        if (state.DryRun)
        {
            events.Add(new LogoutCompleted());
        }

        return events;
    }

    private static List<LogoutEvent> Remove(StartRemoval command, RunState state)
    {
        var request = state.Request!;
        var removal = new RemovalStarted { Steps = state.Steps.Count };
        if (!request.Keychain)
        {
            return [removal];
        }

        return command.Answer switch
        {
            _ when request.Force => [new LogoutConfirmed { Forced = true }, removal],
            true => [new LogoutConfirmed { Forced = false }, removal],
            false => [new LogoutCancelled { Reason = CancelReason.Declined }, new LogoutCompleted()],
            null => [new LogoutCancelled { Reason = CancelReason.Interrupted }, new LogoutCompleted()],
        };
    }

    private static LogoutEvent Outcome(int step, StepOutcome outcome) => outcome.Status switch
    {
        Contracts.StepStatus.Removed => new CredentialRemoved { Step = step, Keys = outcome.Keys },
        Contracts.StepStatus.NotFound => new CredentialNotFound { Step = step, Detail = outcome.Detail },
        _ => new StepFailed { Step = step, Reason = outcome.Reason ?? "failed", Detail = outcome.Detail, Fix = outcome.Fix },
    };
}
