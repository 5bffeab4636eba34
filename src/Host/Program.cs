using Atmos.Plugins.Engine.Startup;
using Atmos.Plugins.Host.Cli;

// The first use of the YAML reader, the validators and System.Text.Json is paid on a second core while this thread sets
// up the console and parses the arguments (docs/performance.md). On a single core it would only take turns with it.
if (Environment.ProcessorCount > 1)
{
    new Thread(EngineWarmup.Run) { IsBackground = true, Name = "warm-up" }.Start();
}

return await AtmosCli.RunAsync(args, HostEnvironment.FromProcess()).ConfigureAwait(false);
