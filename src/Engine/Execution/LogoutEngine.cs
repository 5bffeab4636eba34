using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.PluginHost;
using Atmos.Plugins.Engine.Projections;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>The composition root of one logout run: the mediator with its pipeline, the handlers' dependencies, the runner.</summary>
public static class LogoutEngine
{
    /// <summary>Runs one logout and returns its folded state (exit code: <see cref="ExitCodes.From"/>).</summary>
    /// <param name="context">Config, plugins, keyring, paths.</param>
    /// <param name="options">The flags.</param>
    /// <param name="interaction">Prompts.</param>
    /// <param name="sinks">Who hears each event (console, debug log, audit file...).</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    /// <param name="runId">A run id to use; a new one by default.</param>
    public static async Task<RunState> RunAsync(
        RunContext context,
        LogoutOptions options,
        IUserInteraction interaction,
        IEnumerable<IEventSink> sinks,
        CancellationToken cancellationToken,
        string? runId = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var log = new EventLog(runId ?? EventLog.NewRunId(context.Clock), context.Clock, sinks);
        using var run = CurrentRun.Enter(context);
        try
        {
            var runner = new LogoutRunner(context, interaction, log, Sender);
            return await runner.RunAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!log.State.Completed)
        {
            // A bug still ends the run in its events: one line on the console, and the audit trail keeps the record.
            // The host's error boundary (AtmosCli) handles whatever escapes from here or happens outside a run.
            foreach (var logoutEvent in LogoutDecider.Decide(new FailLogout(OneLine(ex)), log.State))
            {
                log.Record(logoutEvent);
            }

            return log.State;
        }
    }

    /// <summary>An exception as one line: its type and message, never its stack trace.</summary>
    /// <param name="exception">The exception.</param>
    public static string OneLine(Exception exception) => PluginServer.Describe(exception);

    /// <summary>
    /// The mediator, from the one container of this process: built on first use (the host's warm-up thread builds it at
    /// start), its handlers reach each run's context through <see cref="CurrentRun"/>.
    /// </summary>
    internal static ISender Sender => Container.Value.GetRequiredService<ISender>();

    // Lives as long as the process: nothing in it holds a run's resources.
    private static readonly Lazy<ServiceProvider> Container = new(Build);

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddSingleton<CurrentRun>();
        services.AddSingleton<IValidator<RemoveKeyringEntry>, RemoveKeyringEntryValidator>();
        services.AddSingleton<IValidator<RunPluginStep>, RunPluginStepValidator>();
        services.AddSingleton<IValidator<RemoveRealmEntry>, RemoveRealmEntryValidator>();
        services.AddMediator(options =>
        {
            options.Namespace = "Atmos.Plugins.Engine.Mediator";
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.GenerateTypesAsInternal = true;

            // Order matters: the outcome guard wraps validation, so whatever fails inside still ends as one outcome.
            options.PipelineBehaviors =
            [
                typeof(StepOutcomeBehaviour<,>),
                typeof(StepValidationBehaviour<,>),
            ];
        });
        return services.BuildServiceProvider();
    }
}
