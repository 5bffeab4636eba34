using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>
/// What a logout will do, as data: the same object drives the dry run, the real run, <c>--output json</c> and replay
/// tests. Building it reads what exists and changes nothing.
/// </summary>
/// <remarks>
/// Its steps are the mediator commands the runner sends as they are, each carrying everything its handler needs (the
/// step's data, recorded by <see cref="StepPlanned"/>), so whoever holds the plan can execute it.
/// </remarks>
/// <param name="Chain">The identity's chain (identity scope), root first.</param>
/// <param name="Steps">The steps as the commands that execute them, in order; <see cref="StepData.Index"/> is the position.</param>
/// <param name="Preserved">Long-lived credentials kept because <c>--keychain</c> was not given.</param>
/// <param name="PluginFailures">Plugins the plan needed that could not be loaded: plugin name and reason.</param>
public sealed record LogoutPlan(
    IReadOnlyList<string>? Chain,
    IReadOnlyList<IStepCommand> Steps,
    IReadOnlyList<StepData> Preserved,
    IReadOnlyList<PluginFailure> PluginFailures)
{
    /// <summary>Whether any long-lived credential would be deleted (the <c>--keychain</c> confirmation lists these).</summary>
    public IEnumerable<StepData> KeychainSteps => Steps.Select(c => c.Step).Where(s => s.Class != StepClass.Session && s.Presence != Presence.Absent);
}

/// <summary>A plugin the plan needed that could not be loaded.</summary>
/// <param name="Plugin">The plugin's name.</param>
/// <param name="Reason">Why it could not be loaded.</param>
public sealed record PluginFailure(string Plugin, string Reason);
