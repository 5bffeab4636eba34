using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;
using Mediator;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>A plan step sent through the mediator; its handler returns the outcome, the pipeline records it.</summary>
public interface IStepCommand : ICommand<StepOutcome>
{
    /// <summary>The planned step.</summary>
    StepData Step { get; }
}

/// <summary>Remove one keyring entry (host-executed).</summary>
/// <param name="Step">A keyring step.</param>
public sealed record RemoveKeyringEntry(StepData Step) : IStepCommand;

/// <summary>Run one file step in the plugin that planned it.</summary>
/// <param name="Step">A files step.</param>
public sealed record RunPluginStep(StepData Step) : IStepCommand;

/// <summary>Delete a folder or file atmos left in another realm (<c>--all-realms</c>), host-executed.</summary>
/// <param name="Step">A folder step.</param>
public sealed record RemoveRealmEntry(StepData Step) : IStepCommand;

/// <summary>Report a step that cannot run (its plugin is unavailable, or its entry cannot be classified).</summary>
/// <param name="Step">A blocked step.</param>
public sealed record ReportBlockedStep(StepData Step) : IStepCommand;

/// <summary>Which command executes a step: decided once, when the planner numbers the plan (<see cref="Planning.LogoutPlan"/>).</summary>
public static class StepCommand
{
    /// <summary>The command that executes <paramref name="step"/>.</summary>
    /// <param name="step">A step of the plan.</param>
    public static IStepCommand For(StepData step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Blocked is not null || step.Type == StepType.Plugin)
        {
            return new ReportBlockedStep(step);
        }

        return step.Type switch
        {
            StepType.Keyring => new RemoveKeyringEntry(step),
            StepType.Folder => new RemoveRealmEntry(step),
            _ => new RunPluginStep(step),
        };
    }
}
