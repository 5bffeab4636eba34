using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Startup;

/// <summary>
/// Runs, once and on throwaway inputs, the code every run meets for the first time: the YAML reader, FluentValidation
/// building and applying the config and option validators, System.Text.Json writing an event, the event fold, one step
/// through the mediator. The first use of each pays for type loading, static constructors and resolving precompiled code;
/// <c>Program.cs</c> calls this on a second thread at process start so that cost overlaps with argument parsing and file
/// reading on the main thread instead of adding to it (docs/performance.md). It changes no state a run can observe.
/// Start-up policy of this executable, so it lives here and not in the engine (whose other hosts are tests).
/// </summary>
internal static class EngineWarmup
{
    /// <summary>Warms everything in turn, in the order a run needs it. Never throws.</summary>
    public static void Run()
    {
        try
        {
            var config = AuthConfigLoader.Parse(
                "auth:\n  providers:\n    p:\n      kind: warm/provider\n  identities:\n    i:\n      kind: warm/identity\n      via: { provider: p }\n",
                "warm-up");
            // Not System.Text.Json's reader: the main thread reads plugins.json with it shortly after start, and warming it
            // here too only made both threads compile its vectorised string search at once (~5 ms later runs).
            var catalog = new PluginCatalog([], new NoPlugins(), TimeSpan.FromSeconds(1), trustDeclaredKinds: true);
            _ = ConfigValidation.Validate(config, catalog, "/");
            _ = LogoutOptionsValidator.Shared.Validate(new LogoutOptions { Identity = "i", DryRun = true });
            LogoutEvent requested = new LogoutRequested { Scope = ScopeKind.Identity, Target = "i", DryRun = true, Home = "/" };
            _ = EventJson.Serialize(requested);
            _ = RunState.Evolve(RunState.Initial, requested);
            SendOneStep(config, catalog);
        }
        catch (Exception)
        {
            // Warming is only ever an optimisation: whatever failed here, the run meets (and reports) on its own thread.
        }
    }

    // The mediator pipeline of a run (the process's one container, behaviours, handler), on a throwaway run with no sinks:
    // a step that reports itself blocked, the one step that touches nothing.
    private static void SendOneStep(AuthConfig config, PluginCatalog catalog)
    {
        var context = new RunContext(config, catalog, new MemoryKeyring(), new PathContext("/", "/", null, new Dictionary<string, string>()), TimeProvider.System, TimeSpan.FromSeconds(1));
        var step = new StepData { Index = 0, Type = StepType.Plugin, Target = "warm-up", Principals = ["i"], Class = StepClass.Unknown, Blocked = "warm-up" };
        _ = LogoutDecider.Decide(new RecordOutcome(0, new StepOutcome(StepStatus.Failed, "warm-up", null)), RunState.Initial with { Phase = RunPhase.Removing });
        using var run = CurrentRun.Enter(context);
        _ = LogoutEngine.Sender.Send(new ReportBlockedStep(step), CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private sealed class NoPlugins : IPluginLoader
    {
        public IProviderPlugin Load(PluginDescriptor descriptor) => throw new InvalidOperationException("the warm-up loads no plugin");
    }
}
