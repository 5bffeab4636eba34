using Stateless;
using Stateless.Graph;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// The lifecycle of one logout run (Stateless). It only says which transitions are legal; the work happens in
/// <see cref="LogoutRunner"/>, which fires a trigger at each turn. An illegal transition is a bug and throws.
/// </summary>
public sealed class LogoutLifecycle
{
    private readonly StateMachine<State, Trigger> _machine = new(State.Created);

    /// <summary>Configures the transitions.</summary>
    public LogoutLifecycle()
    {
        _machine.Configure(State.Created)
            .Permit(Trigger.Plan, State.Planning)
            .Permit(Trigger.NeedTarget, State.SelectingTarget)
            .Permit(Trigger.Reject, State.Rejected);
        _machine.Configure(State.SelectingTarget)
            .Permit(Trigger.Plan, State.Planning)
            .Permit(Trigger.Cancel, State.Cancelled)
            .Permit(Trigger.Reject, State.Rejected);
        _machine.Configure(State.Planning)
            .Permit(Trigger.Preview, State.Completed)
            .Permit(Trigger.AskConfirmation, State.Confirming)
            .Permit(Trigger.Remove, State.Removing)
            .Permit(Trigger.Reject, State.Rejected)
            .Permit(Trigger.Cancel, State.Cancelled);
        _machine.Configure(State.Confirming)
            .Permit(Trigger.Remove, State.Removing)
            .Permit(Trigger.Cancel, State.Cancelled)
            .Permit(Trigger.Reject, State.Rejected);
        _machine.Configure(State.Removing)
            .Permit(Trigger.Finish, State.Completed)
            .Permit(Trigger.Interrupt, State.Interrupted);
        _machine.Configure(State.Interrupted)
            .Permit(Trigger.Finish, State.Completed);
    }

    /// <summary>The states of a run.</summary>
    public enum State
    {
        /// <summary>Flags read, nothing done.</summary>
        Created,

        /// <summary>The interactive picker is open.</summary>
        SelectingTarget,

        /// <summary>Resolving the chain and asking plugins for steps; read-only.</summary>
        Planning,

        /// <summary>Waiting for "Delete keychain credentials?".</summary>
        Confirming,

        /// <summary>Steps are running.</summary>
        Removing,

        /// <summary>Ctrl-C during removal; the summary is still written.</summary>
        Interrupted,

        /// <summary>Done (after removal, or after a dry run's preview).</summary>
        Completed,

        /// <summary>Usage or config error; nothing changed.</summary>
        Rejected,

        /// <summary>Declined or interrupted before removing anything.</summary>
        Cancelled,
    }

    /// <summary>What moves a run on.</summary>
    public enum Trigger
    {
        /// <summary>A target is known: plan.</summary>
        Plan,

        /// <summary>No target given: show the picker.</summary>
        NeedTarget,

        /// <summary>Dry run: print the plan and stop.</summary>
        Preview,

        /// <summary><c>--keychain</c> without <c>--force</c>: ask.</summary>
        AskConfirmation,

        /// <summary>Start removing.</summary>
        Remove,

        /// <summary>All steps ran.</summary>
        Finish,

        /// <summary>Ctrl-C during removal.</summary>
        Interrupt,

        /// <summary>Declined, Esc or Ctrl-C before removal.</summary>
        Cancel,

        /// <summary>Usage or configuration error.</summary>
        Reject,
    }

    /// <summary>The current state.</summary>
    public State Current => _machine.State;

    /// <summary>Moves on.</summary>
    /// <param name="trigger">What happened.</param>
    public void Fire(Trigger trigger) => _machine.Fire(trigger);

    /// <summary>The state graph in DOT, for the docs (docs/lifecycle.md).</summary>
    public string ToDotGraph() => UmlDotGraph.Format(_machine.GetInfo());

    /// <summary>The state graph as a Mermaid state diagram, for the docs (docs/lifecycle.md; GitHub renders it).</summary>
    public string ToMermaidGraph() => MermaidGraph.Format(_machine.GetInfo(), MermaidGraphDirection.TopToBottom);
}
