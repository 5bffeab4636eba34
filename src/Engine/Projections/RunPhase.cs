using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>Where a run stands, as its events say (<see cref="RunState.Phase"/>).</summary>
public enum RunPhase
{
    /// <summary>Nothing asked yet (config warnings may have been reported); the picker, if any, is open.</summary>
    Created,

    /// <summary>The target is known (and its chain, for an identity); planning is next.</summary>
    Requested,

    /// <summary>The plan is recorded; a dry run ends here, a real one asks for confirmation or starts removing.</summary>
    Planned,

    /// <summary>The <c>--keychain</c> deletion was confirmed (at the prompt or with <c>--force</c>).</summary>
    Confirmed,

    /// <summary>Steps are running, each ending in one outcome.</summary>
    Removing,

    /// <summary>Ctrl-C during removal: the remaining steps do not run.</summary>
    Interrupted,

    /// <summary>A usage or configuration error; nothing changed (exit 2).</summary>
    Rejected,

    /// <summary>Declined, or Esc/Ctrl-C before anything was removed.</summary>
    Cancelled,

    /// <summary>Something unexpected stopped the run (exit 1).</summary>
    Failed,

    /// <summary>The run is over; nothing follows.</summary>
    Completed,
}

/// <summary>One legal move of a run: in <paramref name="From"/>, an event of type <paramref name="Event"/> leads to <paramref name="To"/>.</summary>
/// <param name="From">The phase before.</param>
/// <param name="Event">The event's type.</param>
/// <param name="To">The phase after.</param>
public sealed record PhaseTransition(RunPhase From, Type Event, RunPhase To);

/// <summary>
/// The one definition of a run's phases: the fold takes each event's phase from it, the decider refuses to emit an event
/// it does not allow, and docs/lifecycle.md draws its diagram from it.
/// </summary>
public static class RunPhases
{
    /// <summary>Every legal move, in the order a run meets them.</summary>
    public static IReadOnlyList<PhaseTransition> Transitions { get; } = Define();

    // Plain loops, no LINQ: a generic method over a value type (RunPhase) is compiled at every start (docs/performance.md).
    private static List<PhaseTransition> Define()
    {
        List<PhaseTransition> moves =
        [
            new(RunPhase.Created, typeof(ConfigWarningReported), RunPhase.Created),
            new(RunPhase.Created, typeof(LogoutRequested), RunPhase.Requested),
            new(RunPhase.Requested, typeof(LogoutRejected), RunPhase.Rejected),
            new(RunPhase.Requested, typeof(ChainResolved), RunPhase.Requested),
        ];
        foreach (var from in new[] { RunPhase.Requested, RunPhase.Planned })
        {
            moves.Add(new(from, typeof(PluginLoadFailed), RunPhase.Planned));
            moves.Add(new(from, typeof(StepPlanned), RunPhase.Planned));
            moves.Add(new(from, typeof(CredentialPreserved), RunPhase.Planned));
            moves.Add(new(from, typeof(LogoutCancelled), RunPhase.Cancelled));
            moves.Add(new(from, typeof(LogoutConfirmed), RunPhase.Confirmed));
            moves.Add(new(from, typeof(RemovalStarted), RunPhase.Removing));
            moves.Add(new(from, typeof(LogoutCompleted), RunPhase.Completed));
        }

        moves.AddRange(
        [
            new(RunPhase.Confirmed, typeof(RemovalStarted), RunPhase.Removing),
            new(RunPhase.Removing, typeof(CredentialRemoved), RunPhase.Removing),
            new(RunPhase.Removing, typeof(CredentialNotFound), RunPhase.Removing),
            new(RunPhase.Removing, typeof(StepFailed), RunPhase.Removing),
            new(RunPhase.Removing, typeof(LogoutInterrupted), RunPhase.Interrupted),
            new(RunPhase.Removing, typeof(LogoutCompleted), RunPhase.Completed),
            new(RunPhase.Interrupted, typeof(LogoutCompleted), RunPhase.Completed),
            new(RunPhase.Rejected, typeof(LogoutCompleted), RunPhase.Completed),
            new(RunPhase.Cancelled, typeof(LogoutCompleted), RunPhase.Completed),
        ]);

        // A bug can stop a run anywhere before its end.
        foreach (var from in new[] { RunPhase.Created, RunPhase.Requested, RunPhase.Planned, RunPhase.Confirmed, RunPhase.Removing, RunPhase.Interrupted, RunPhase.Rejected, RunPhase.Cancelled })
        {
            moves.Add(new(from, typeof(LogoutFailed), RunPhase.Failed));
        }

        moves.Add(new(RunPhase.Failed, typeof(LogoutCompleted), RunPhase.Completed));
        return moves;
    }

    /// <summary>The phase after <paramref name="logoutEvent"/>; false when the event is not legal in <paramref name="phase"/>.</summary>
    /// <param name="phase">The phase before.</param>
    /// <param name="logoutEvent">The event.</param>
    /// <param name="next">The phase after (unchanged when not legal).</param>
    public static bool TryAfter(RunPhase phase, LogoutEvent logoutEvent, out RunPhase next)
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        var type = logoutEvent.GetType();
        foreach (var transition in Transitions)
        {
            if (transition.From == phase && transition.Event == type)
            {
                next = transition.To;
                return true;
            }
        }

        next = phase;
        return false;
    }
}
