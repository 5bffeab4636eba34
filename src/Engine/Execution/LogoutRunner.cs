using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Projections;
using Mediator;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// Runs one logout as a thin loop around <see cref="LogoutDecider"/>: it carries out the effects the run needs (the
/// picker, planning, the confirmation, each step through the mediator), hands each result to the decider and records the
/// events it returns. Where the run stands is the folded state's <see cref="RunState.Phase"/>, nothing else.
/// </summary>
public sealed class LogoutRunner
{
    private readonly RunContext _context;
    private readonly IUserInteraction _interaction;
    private readonly EventLog _log;
    private readonly ISender _sender;

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

    /// <summary>Runs the logout.</summary>
    /// <param name="options">The flags.</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    public async Task<RunState> RunAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        var request = new RequestLogout(options, _context, _interaction.CanPrompt);
        var state = Apply(request);
        if (LogoutDecider.AwaitsPick(state))
        {
            state = Apply(request with { Picked = true, Choice = await PickAsync(cancellationToken).ConfigureAwait(false) });
        }

        if (state.Completed)
        {
            return state;
        }

        var (target, _) = TargetResolver.Resolve(_context.Config, state.Scope, state.Request!.Target, string.Empty);
        LogoutPlan plan;
        try
        {
            plan = await new LogoutPlanner(_context).PlanAsync(target!, options.Keychain, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Apply(new CancelLogout(CancelReason.Interrupted));
        }

        state = Apply(new RecordPlan(plan));
        if (state.Completed)
        {
            return state;
        }

        state = Apply(new StartRemoval(LogoutDecider.AwaitsConfirmation(state) ? await ConfirmAsync(target!, plan, cancellationToken).ConfigureAwait(false) : null));
        foreach (var command in plan.Steps)
        {
            if (state.Completed || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var outcome = await _sender.Send(command, cancellationToken).ConfigureAwait(false);
            state = Apply(new RecordOutcome(command.Step.Index, outcome));
        }

        return state.Completed ? state : Apply(new FinishLogout(cancellationToken.IsCancellationRequested));
    }

    private RunState Apply(RunCommand command)
    {
        foreach (var logoutEvent in LogoutDecider.Decide(command, _log.State))
        {
            _log.Record(logoutEvent);
        }

        return _log.State;
    }

    private async Task<PickChoice?> PickAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _interaction.PickTargetAsync(PickChoices.Of(_context.Config), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private Task<bool?> ConfirmAsync(ResolvedTarget target, LogoutPlan plan, CancellationToken cancellationToken)
    {
        var subject = target.Scope switch { ScopeKind.All => "all identities", ScopeKind.AllRealms => "all identities in every realm", _ => target.Name! };
        var entries = plan.KeychainSteps.Select(s => s.Type == StepType.Keyring ? $"Keyring: {s.Target}" : $"Files: {HumanOutput.Display(s.Target, _context.Paths.Home)}").ToList();
        return _interaction.ConfirmKeychainDeletionAsync(subject, entries, cancellationToken);
    }
}
