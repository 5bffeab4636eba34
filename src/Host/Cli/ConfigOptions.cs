using System.CommandLine;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// atmos's global config flags, on every command: <c>--config FILE</c> and <c>--config-path DIR</c> (each repeatable
/// and comma-separated, replacing discovery), <c>--profile NAME</c> (repeatable, comma-separated). What they select is
/// read by <see cref="ConfigLoader"/>.
/// </summary>
internal sealed class ConfigOptions
{
    public Option<string[]> Config { get; } = new("--config")
    {
        Description = "atmos.yaml to read instead of discovering one (repeatable; comma-separated works too). Default: atmos's discovery (/usr/local/etc/atmos, ~/.atmos, parent folders and the Git root when the working folder has none, the working folder, $ATMOS_CLI_CONFIG_PATH), each with its .atmos.d/ and imports.",
        Recursive = true,
        HelpName = "file",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string[]> ConfigPath { get; } = new("--config-path")
    {
        Description = "Folder holding atmos.yaml to read instead of discovering one (repeatable; comma-separated works too), with its .atmos.d/ and imports.",
        Recursive = true,
        HelpName = "dir",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string[]> Profile { get; } = new("--profile")
    {
        Description = "Configuration profile to merge over atmos.yaml (repeatable; comma-separated works too). Default: $ATMOS_PROFILE, then profiles.default.",
        Recursive = true,
        HelpName = "name",
        Arity = ArgumentArity.OneOrMore,
    };

    public IEnumerable<Option> All => [Config, ConfigPath, Profile];

    /// <summary>What selects the config for a command line, as a run or a completion reads it.</summary>
    /// <param name="parseResult">The parsed line.</param>
    /// <param name="host">The process.</param>
    /// <param name="runCommands">Whether <c>!exec</c> may run (never while completing).</param>
    public ConfigRequest Request(ParseResult parseResult, HostEnvironment host, bool runCommands = true) => new()
    {
        Environment = host.Variables,
        WorkingDirectory = host.WorkingDirectory,
        Home = host.Home,
        SystemFolder = host.SystemConfigFolder,
        ConfigFiles = Values(parseResult, Config),
        ConfigPaths = Values(parseResult, ConfigPath),
        Profiles = Values(parseResult, Profile),
        RunCommands = runCommands,
        Display = path => HumanOutput.Display(path, host.Home),
    };

    // Each occurrence, each comma-separated part (pflag's StringSlice, which atmos uses for these flags). A line with
    // parse errors may not convert: the flag then counts as not given, and the run reports the parse error.
    private static List<string> Values(ParseResult parseResult, Option<string[]> option)
    {
        string[]? given;
        try
        {
            given = parseResult.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            given = null;
        }

        return (given ?? []).SelectMany(v => ConfigDiscovery.Split(v)).ToList();
    }
}
