using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.Engine.Projections;
using Mediator;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>Removes a keyring entry. "Not found" is an outcome, not an error.</summary>
public sealed class RemoveKeyringEntryHandler : ICommandHandler<RemoveKeyringEntry, StepOutcome>
{
    private readonly CurrentRun _run;

    /// <summary>Creates the handler.</summary>
    /// <param name="run">The run being sent (for its keyring).</param>
    public RemoveKeyringEntryHandler(CurrentRun run) => _run = run;

    /// <inheritdoc />
    /// <remarks>
    /// Every key of the step goes (one call each: keyrings delete by key); the step is removed when any was, failed when
    /// any key could not be removed (the detail names the keys that did go), not found when none was there.
    /// </remarks>
    public async ValueTask<StepOutcome> Handle(RemoveKeyringEntry command, CancellationToken cancellationToken)
    {
        var keyring = _run.Context.Keyring;
        var removed = new List<string>();
        try
        {
            foreach (var key in command.Step.Keys ?? [command.Step.Target])
            {
                if (await keyring.RemoveAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    removed.Add(key);
                }
            }

            return removed.Count > 0
                ? new StepOutcome(StepStatus.Removed, null, null) { Keys = removed }
                : new StepOutcome(StepStatus.NotFound, "not found - already logged out", "credential not found in keyring");
        }
        catch (KeyringUnavailableException ex)
        {
            return new StepOutcome(StepStatus.Failed, ex.Reason, $"failed to delete credentials from keyring: {ex.Reason}; {ex.Fix}{RemovedBefore(removed)}");
        }
        catch (KeyringOperationException ex) when (ex.Reason.StartsWith(AccessDenied, StringComparison.Ordinal))
        {
            // Every backend words it "access denied by <facility>"; the output uses the reference doc's words and solution.
            return new StepOutcome(StepStatus.Failed, AccessDenied, $"failed to delete credentials from keyring: {AccessDenied}{RemovedBefore(removed)}") { Fix = AccessDeniedSolution(keyring.Backend, ex.Fix) };
        }
        catch (KeyringOperationException ex)
        {
            return new StepOutcome(StepStatus.Failed, ex.Reason, $"failed to delete credentials from keyring: {ex.Reason}; {ex.Fix}{RemovedBefore(removed)}");
        }
    }

    private static string RemovedBefore(List<string> removed) =>
        removed.Count == 0 ? string.Empty : $" ({string.Join(", ", removed)} removed before the failure)";

    private const string AccessDenied = "access denied";

    // The reference doc's solution for the macOS Keychain; for other backends its first sentence and the backend's own fix.
    private static string AccessDeniedSolution(string backend, string backendFix) => backend == "keychain"
        ? "The system keyring requires authentication. On macOS, you may need to grant Atmos permission in System Preferences → Security & Privacy → Privacy → Accessibility."
        : $"The system keyring requires authentication. {char.ToUpperInvariant(backendFix[0])}{backendFix[1..].TrimEnd('.')}.";
}

/// <summary>Runs a file step in its plugin, behind the plugin guard (time limit, exceptions, garbage results).</summary>
public sealed class RunPluginStepHandler : ICommandHandler<RunPluginStep, StepOutcome>
{
    private readonly CurrentRun _run;

    /// <summary>Creates the handler.</summary>
    /// <param name="run">The run being sent (for its plugins).</param>
    public RunPluginStepHandler(CurrentRun run) => _run = run;

    /// <inheritdoc />
    public ValueTask<StepOutcome> Handle(RunPluginStep command, CancellationToken cancellationToken)
    {
        var context = _run.Context;
        var step = command.Step;
        var descriptor = context.Catalog.Plugins.FirstOrDefault(p => p.Name == step.Plugin);
        if (descriptor is null)
        {
            return ValueTask.FromResult(new StepOutcome(StepStatus.Failed, "plugin unavailable", $"plugin '{step.Plugin}' is not listed in plugins.json"));
        }

        var plugin = context.Catalog.Load(descriptor);
        var fileStep = step.ToFileStep();
        var environment = context.EnvironmentFor(plugin.Cloud, plugin.Name);
        var action = step.Action!;
        var call = plugin.Call("Execute", (p, token) => PluginAnswers.Result(p.Execute(fileStep, environment, token), action), cancellationToken);
        if (!call.Succeeded)
        {
            return ValueTask.FromResult(new StepOutcome(StepStatus.Failed, "plugin error", call.Failure));
        }

        return ValueTask.FromResult(StepOutcome.From(call.Value!));
    }
}

/// <summary>
/// Deletes a folder or file atmos left in a realm (<c>--all-realms</c>): contained in its base folder, links unlinked,
/// never followed; then the realm's cloud folder and the realm folder when that left them empty.
/// </summary>
public sealed class RemoveRealmEntryHandler : ICommandHandler<RemoveRealmEntry, StepOutcome>
{
    private readonly CurrentRun _run;

    /// <summary>Creates the handler.</summary>
    /// <param name="run">The run being sent (for its home folder).</param>
    public RemoveRealmEntryHandler(CurrentRun run) => _run = run;

    /// <inheritdoc />
    public ValueTask<StepOutcome> Handle(RemoveRealmEntry command, CancellationToken cancellationToken)
    {
        var arguments = command.Step.Arguments;
        var environment = _run.Context.EnvironmentFor("aws");
        var result = StepResults.Delete(arguments["base"], arguments["path"], environment);
        if (result.Status == StepStatus.Removed && arguments.TryGetValue(RealmSweep.TidyArgument, out var tidy) && tidy.Length > 0)
        {
            foreach (var folder in tidy.Split('\n'))
            {
                try
                {
                    ContainedPath.RemoveIfEmpty(arguments[RealmSweep.TidyBaseArgument], folder);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnsafePathException)
                {
                    break; // only tidying: what was asked for is gone
                }
            }
        }

        return ValueTask.FromResult(StepOutcome.From(result));
    }
}

/// <summary>A step that cannot run fails with the reason recorded in the plan.</summary>
public sealed class ReportBlockedStepHandler : ICommandHandler<ReportBlockedStep, StepOutcome>
{
    /// <inheritdoc />
    public ValueTask<StepOutcome> Handle(ReportBlockedStep command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new StepOutcome(StepStatus.Failed, command.Step.Blocked ?? "cannot run", command.Step.BlockedDetail ?? command.Step.Blocked));
}
