using System.CommandLine;
using System.CommandLine.Completions;
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

    public ConfigOptions()
    {
        Config.CompletionSources.Add(context => Complete(context, Config, values: null));
        ConfigPath.CompletionSources.Add(context => Complete(context, ConfigPath, values: null));
    }

    public IEnumerable<Option> All => [Config, ConfigPath, Profile];

    /// <summary>
    /// A repeatable option keeps accepting values, so System.CommandLine completes the word after its value as another
    /// value of it. Right after the flag that is right (<paramref name="values"/>; none for a path, so the shell offers
    /// files); after its value the user is on the next word of the command (an identity, another flag), offered then.
    /// </summary>
    /// <param name="context">The completion.</param>
    /// <param name="option">The repeatable option.</param>
    /// <param name="values">Its values, or null.</param>
    public static IEnumerable<CompletionItem> Complete(CompletionContext context, Option option, Func<CompletionContext, IEnumerable<CompletionItem>>? values)
    {
        var tokens = context.ParseResult.Tokens.Select(t => t.Value).ToList();
        if (context.WordToComplete.Length > 0 && tokens.Count > 0 && tokens[^1] == context.WordToComplete)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        if (tokens.Count == 0 || tokens[^1] == option.Name || option.Aliases.Contains(tokens[^1]))
        {
            return values?.Invoke(context) ?? [];
        }

        return context.ParseResult.CommandResult.Command.GetCompletions(context);
    }

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
