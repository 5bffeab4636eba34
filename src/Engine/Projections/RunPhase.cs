using Atmos.Plugins.Engine.Events;
using Stateless;
using Stateless.Graph;

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

/// <summary>
/// The one definition of a run's phases, a Stateless state machine whose triggers are the event types: the fold
/// takes each event's phase from it, the decider refuses to emit an event it does not permit, and docs/lifecycle.md's
/// diagram is its Mermaid export.
/// </summary>
/// <remarks>
/// The machine keeps no run's state: it reads and writes the phase through a slot that <see cref="TryAfter"/> fills from
/// the state being folded (under a lock), so one definition serves every run, replay and thread.
/// </remarks>
public static class RunPhases
{
    private static readonly Lock Gate = new();
    private static RunPhase s_phase;

    private static readonly StateMachine<RunPhase, Type> Machine = Define();

    private static StateMachine<RunPhase, Type> Define()
    {
        var machine = new StateMachine<RunPhase, Type>(() => s_phase, phase => s_phase = phase, FiringMode.Immediate);
        machine.Configure(RunPhase.Created)
            .PermitReentry(typeof(ConfigWarningReported))
            .Permit(typeof(LogoutRequested), RunPhase.Requested);
        machine.Configure(RunPhase.Requested)
            .Permit(typeof(LogoutRejected), RunPhase.Rejected)
            .PermitReentry(typeof(ChainResolved));
        foreach (var from in new[] { RunPhase.Requested, RunPhase.Planned })
        {
            var planning = machine.Configure(from)
                .Permit(typeof(LogoutCancelled), RunPhase.Cancelled)
                .Permit(typeof(LogoutConfirmed), RunPhase.Confirmed)
                .Permit(typeof(RemovalStarted), RunPhase.Removing)
                .Permit(typeof(LogoutCompleted), RunPhase.Completed);
            foreach (var planned in new[] { typeof(PluginLoadFailed), typeof(StepPlanned), typeof(CredentialPreserved) })
            {
                _ = from == RunPhase.Planned ? planning.PermitReentry(planned) : planning.Permit(planned, RunPhase.Planned);
            }
        }

        machine.Configure(RunPhase.Confirmed)
            .Permit(typeof(RemovalStarted), RunPhase.Removing);
        machine.Configure(RunPhase.Removing)
            .PermitReentry(typeof(CredentialRemoved))
            .PermitReentry(typeof(CredentialNotFound))
            .PermitReentry(typeof(StepFailed))
            .Permit(typeof(LogoutInterrupted), RunPhase.Interrupted)
            .Permit(typeof(LogoutCompleted), RunPhase.Completed);
        foreach (var ended in new[] { RunPhase.Interrupted, RunPhase.Rejected, RunPhase.Cancelled, RunPhase.Failed })
        {
            machine.Configure(ended).Permit(typeof(LogoutCompleted), RunPhase.Completed);
        }

        // A bug can stop a run anywhere before its end.
        foreach (var from in new[] { RunPhase.Created, RunPhase.Requested, RunPhase.Planned, RunPhase.Confirmed, RunPhase.Removing, RunPhase.Interrupted, RunPhase.Rejected, RunPhase.Cancelled })
        {
            machine.Configure(from).Permit(typeof(LogoutFailed), RunPhase.Failed);
        }

        return machine;
    }

    /// <summary>The phase after <paramref name="logoutEvent"/>; false when the event is not permitted in <paramref name="phase"/>.</summary>
    /// <param name="phase">The phase before.</param>
    /// <param name="logoutEvent">The event.</param>
    /// <param name="next">The phase after (unchanged when not permitted).</param>
    public static bool TryAfter(RunPhase phase, LogoutEvent logoutEvent, out RunPhase next)
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        var trigger = logoutEvent.GetType();
        bool permitted;
        lock (Gate)
        {
            s_phase = phase;
            permitted = Machine.CanFire(trigger);
            if (permitted)
            {
                Machine.Fire(trigger);
            }

            next = s_phase;
        }

        return permitted;
    }

    /// <summary>The phases and the events that move a run between them, as a Mermaid state diagram (docs/lifecycle.md).</summary>
    public static string Diagram()
    {
        string graph;
        lock (Gate)
        {
            s_phase = RunPhase.Created; // the export starts the diagram at the machine's current phase
            graph = MermaidGraph.Format(Machine.GetInfo());
        }

        return graph.Replace(typeof(LogoutEvent).Namespace + ".", string.Empty, StringComparison.Ordinal).Replace("\t", "    ", StringComparison.Ordinal);
    }
}
