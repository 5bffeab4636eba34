using Atmos.Plugins.Host.Startup;
using Atmos.Plugins.Host.Cli;
using Atmos.Plugins.Host.Plugins;

// The console streams and the first use of the YAML reader, the validators, System.Text.Json and the plugin loader are
// paid on a second core while this thread reads the environment and parses the arguments (docs/performance.md). On a
// single core the warm-up would only take turns with the run.
if (Environment.ProcessorCount > 1)
{
    new Thread(static () =>
    {
        try
        {
            _ = Console.Out;
            _ = Console.Error;
        }
        catch (Exception)
        {
            // Only ever an optimisation: the run meets any console problem on its own thread.
        }

        EngineWarmup.Run();
        Atmos.Plugins.PluginHost.PluginAssemblies.Warm();
    }) { IsBackground = true, Name = "warm-up" }.Start();
}

return await AtmosCli.RunAsync(args, HostEnvironment.FromProcess()).ConfigureAwait(false);
