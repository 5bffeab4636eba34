using System.Collections.Immutable;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>How one step ended.</summary>
/// <param name="Status">Removed, not found or failed.</param>
/// <param name="Reason">A few words for the step line.</param>
/// <param name="Detail">The full sentence for "Errors encountered".</param>
public sealed record StepOutcome(StepStatus Status, string? Reason, string? Detail)
{
    /// <summary>For a known failure: its solution, printed once after the errors.</summary>
    public string? Fix { get; init; }

    /// <summary>For a keyring step that removed something: the keys it removed.</summary>
    public IReadOnlyList<string>? Keys { get; init; }

    /// <summary>A file or folder step's result as an outcome.</summary>
    /// <param name="result">What the plugin or the host returned.</param>
    public static StepOutcome From(StepResult result) => result switch
    {
        { Status: StepStatus.Removed } => new(StepStatus.Removed, null, null),
        { Status: StepStatus.NotFound } => new(StepStatus.NotFound, "not found - already logged out", result.Detail),
        _ => new(StepStatus.Failed, result.Reason ?? "failed", result.Detail ?? result.Reason),
    };
}

/// <summary>The outcome of one step, in the order outcomes happened.</summary>
/// <param name="Step">The step's index.</param>
/// <param name="Outcome">How it ended.</param>
public sealed record StepOutcomeEntry(int Step, StepOutcome Outcome);

/// <summary>
/// Everything known about a run, rebuilt from its events by the pure fold <see cref="Evolve"/>. Every projection
/// (summary text, exit code, audit lines, JSON) reads this and nothing else.
/// </summary>
public sealed record RunState
{
    /// <summary>The state before any event.</summary>
    public static RunState Initial { get; } = new();

    /// <summary>The run id.</summary>
    public string? Run { get; init; }

    /// <summary>What was asked for.</summary>
    public LogoutRequested? Request { get; init; }

    /// <summary>Set when the command was rejected (exit 2).</summary>
    public LogoutRejected? Rejected { get; init; }

    /// <summary>The identity's chain, for identity logouts.</summary>
    public IReadOnlyList<string>? Chain { get; init; }

    /// <summary>The plan's steps, by index.</summary>
    public ImmutableList<StepData> Steps { get; init; } = [];

    /// <summary>Long-lived credentials kept.</summary>
    public ImmutableList<StepData> Preserved { get; init; } = [];

    /// <summary>Plugins that could not be loaded, with the reason.</summary>
    public ImmutableList<PluginLoadFailed> PluginFailures { get; init; } = [];

    /// <summary>Outcomes by step index, in the order they happened.</summary>
    public ImmutableList<StepOutcomeEntry> Outcomes { get; init; } = [];

    // The outcome of each planned step by index (null until it has one). Collections of reference types only: a value
    // type (an int key, a tuple) would make the runtime compile their generic code at every start (docs/performance.md).
    private ImmutableList<StepOutcome?> OutcomeByStep { get; init; } = [];

    /// <summary>Whether <c>--keychain</c> was confirmed.</summary>
    public LogoutConfirmed? Confirmed { get; init; }

    /// <summary>Set when the run was cancelled before removing anything.</summary>
    public LogoutCancelled? Cancelled { get; init; }

    /// <summary>Set when something unexpected stopped the run (exit 1).</summary>
    public LogoutFailed? Failure { get; init; }

    /// <summary>Where the run stands (<see cref="RunPhases"/>).</summary>
    public RunPhase Phase { get; init; }

    /// <summary>Whether removal started (the run is removing, or was, before it ended).</summary>
    public bool RemovalStarted { get; init; }

    /// <summary>Whether Ctrl-C stopped the removal.</summary>
    public bool Interrupted { get; init; }

    /// <summary>Whether the run is over.</summary>
    public bool Completed => Phase == RunPhase.Completed;

    /// <summary>The realm of the run, or null for none.</summary>
    public string? Realm => Request?.Realm;

    /// <summary>Whether this is a dry run.</summary>
    public bool DryRun => Request?.DryRun ?? false;

    /// <summary>The scope asked for.</summary>
    public ScopeKind Scope => Request?.Scope ?? ScopeKind.None;

    /// <summary>Steps that removed something.</summary>
    public int Removed => Outcomes.Count(o => o.Outcome.Status == StepStatus.Removed);

    /// <summary>Steps that found nothing.</summary>
    public int NotFound => Outcomes.Count(o => o.Outcome.Status == StepStatus.NotFound);

    /// <summary>Steps that failed.</summary>
    public int Failed => Outcomes.Count(o => o.Outcome.Status == StepStatus.Failed);

    /// <summary>Steps that have an outcome.</summary>
    public int Attempted => Outcomes.Count;

    /// <summary>Distinct identities and providers with at least one removed step ("logged out from N identities").</summary>
    public int IdentitiesLoggedOut => Outcomes
        .Where(o => o.Outcome.Status == StepStatus.Removed)
        .SelectMany(o => Steps[o.Step].Principals)
        .Distinct(StringComparer.Ordinal)
        .Count();

    /// <summary>Applies one event. Pure: the same events always give the same state.</summary>
    /// <param name="state">The state so far.</param>
    /// <param name="logoutEvent">The next event.</param>
    public static RunState Evolve(RunState state, LogoutEvent logoutEvent)
    {
        ArgumentNullException.ThrowIfNull(state);

        // An event the phases do not allow here (a hand-edited or truncated stream) keeps the phase: replays never crash.
        RunPhases.TryAfter(state.Phase, logoutEvent, out var phase);
        state = state with { Run = state.Run ?? logoutEvent.Run, Phase = phase };
        return logoutEvent switch
        {
            LogoutRequested e => state with { Request = e },
            LogoutRejected e => state with { Rejected = e },
            ChainResolved e => state with { Chain = e.Chain },
            StepPlanned e => state with { Steps = state.Steps.Add(e.Step), OutcomeByStep = state.OutcomeByStep.Add(null) },
            CredentialPreserved e => state with { Preserved = state.Preserved.Add(e.Step) },
            PluginLoadFailed e => state with { PluginFailures = state.PluginFailures.Add(e) },
            LogoutConfirmed e => state with { Confirmed = e },
            LogoutCancelled e => state with { Cancelled = e },
            Events.RemovalStarted => state with { RemovalStarted = true },
            CredentialRemoved e => WithOutcome(state, e.Step, new StepOutcome(StepStatus.Removed, null, null) { Keys = e.Keys }),
            CredentialNotFound e => WithOutcome(state, e.Step, new StepOutcome(StepStatus.NotFound, "not found - already logged out", e.Detail)),
            StepFailed e => WithOutcome(state, e.Step, new StepOutcome(StepStatus.Failed, e.Reason, e.Detail) { Fix = e.Fix }),
            LogoutInterrupted => state with { Interrupted = true },
            LogoutFailed e => state with { Failure = e },
            _ => state,
        };
    }

    /// <summary>Folds a whole stream.</summary>
    /// <param name="events">The events of one run, in order.</param>
    public static RunState From(IEnumerable<LogoutEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>The outcome of a step, if it has one.</summary>
    /// <param name="index">The step's index.</param>
    public StepOutcome? OutcomeOf(int index) => index >= 0 && index < OutcomeByStep.Count ? OutcomeByStep[index] : null;

    // A step index outside the plan is ignored: a corrupt or hand-edited stream must not crash a replay.
    private static RunState WithOutcome(RunState state, int step, StepOutcome outcome)
    {
        if (step < 0 || step >= state.Steps.Count || state.OutcomeOf(step) is not null)
        {
            return state;
        }

        // A state given its steps directly (not through StepPlanned) has no slots for them yet.
        var slots = state.OutcomeByStep;
        while (slots.Count <= step)
        {
            slots = slots.Add(null);
        }

        return state with { Outcomes = state.Outcomes.Add(new StepOutcomeEntry(step, outcome)), OutcomeByStep = slots.SetItem(step, outcome) };
    }
}
