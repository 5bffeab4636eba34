using Atmos.Plugins.Host.Cli;

return await AtmosCli.RunAsync(args, HostEnvironment.FromProcess()).ConfigureAwait(false);
