using System.CommandLine;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Host.Terminal;

namespace Atmos.Plugins.Host.Cli;

/// <summary><c>atmos auth logout [identity] [-i/--identity [name]] [--all] [--all-realms] [--provider NAME] [--dry-run] [--keychain] [--force]</c>.</summary>
internal sealed class LogoutCommand
{
    private readonly Argument<string?> _identityArgument = new("identity")
    {
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "identity", // without it, help would run the completion source (read atmos.yaml) to list values
        Description = "Name of the identity to logout from. Must match an identity defined in atmos.yaml. If omitted, enters interactive mode. Can also be specified via the --identity flag.",
    };

    private readonly Option<string?> _identityOption = new("--identity", "-i")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "Specify the identity to logout from. Alternative to using the positional argument. This flag has three modes: with value (--identity admin): logout from the specified identity; without value (--identity): show interactive selector to choose identity (same as omitting both flag and argument); omitted: enter interactive mode if no positional argument is provided. Environment variables: ATMOS_IDENTITY or IDENTITY (checked in that order).",
        HelpName = "name",
    };

    private readonly Option<bool> _all = new("--all")
    {
        Description = "Logout from all identities and providers. Clears session data for all identities. Combine with --keychain to also remove stored credentials.",
    };

    private readonly Option<bool> _allRealms = new("--all-realms")
    {
        Description = "Logout from everything atmos left on this machine in every realm, not only the current one: each realm folder under the atmos config home (the no-realm layout included), atmos 1.206.0's automatic realms, and every atmos_ keyring entry the keyring can list. Combine with --keychain to also remove stored credentials.",
    };

    private readonly Option<string?> _provider = new("--provider")
    {
        Description = "Logout from a specific provider instead of an identity. Clears session data for all identities using this provider. Combine with --keychain to also remove stored credentials.",
        HelpName = "name",
    };

    private readonly Option<bool> _keychain = new("--keychain")
    {
        Description = "Also delete credentials from system keychain (destructive operation). By default, logout preserves keychain credentials (IAM user access keys, service account credentials) to enable instant re-authentication. Requires interactive confirmation (shows what will be deleted); use --force to bypass it in CI/CD. Session data is also cleared.",
    };

    private readonly Option<bool> _force = new("--force")
    {
        Description = "Skip interactive confirmation prompts. Required when using --keychain in non-interactive environments (CI/CD pipelines, scripts). Safety note: only use with --keychain when you're certain you want to delete credentials; this bypasses the confirmation dialog that warns about permanent credential deletion.",
    };

    private readonly Option<bool> _dryRun = new("--dry-run")
    {
        Description = "Preview what would be removed without actually deleting anything. Shows which session data and (if --keychain is used) which keychain entries would be deleted. Useful for understanding the scope of logout.",
    };

    private readonly Option<string> _output = OutputFormat.Option("Output format: text (human output on stderr) or json (one JSON document on stdout; human output stays on stderr).");

    private readonly Option<string?> _tags = new("--tags")
    {
        Description = "Logout from every provider and identity carrying any of these tags (comma-separated: --tags=ci,production). A provider goes whole, with its identities; an identity goes with its chain's session entries. Cannot be combined with an identity, --provider or --all.",
        HelpName = "tags",
    };

    private readonly ConfigOptions _config;
    private readonly HostEnvironment _host;

    public LogoutCommand(HostEnvironment host, ConfigOptions config)
    {
        _host = host;
        _config = config;
        Command = new Command("logout", "Clear local session data (tokens, cached credentials) while preserving your keychain credentials for faster re-authentication. Only local credentials are removed: browser sessions with your identity provider stay active.")
        {
            _identityArgument, _identityOption, _all, _allRealms, _provider, _tags, _dryRun, _keychain, _force, _output,
        };
        Command.SetAction((parseResult, cancellationToken) => ExecuteAsync(parseResult, cancellationToken));
        _identityArgument.CompletionSources.Add(Completions.Identities(host, config));
        _identityOption.CompletionSources.Add(Completions.Identities(host, config));
        _provider.CompletionSources.Add(Completions.Providers(host, config));
        _tags.CompletionSources.Add(Completions.Tags(host, config));
    }

    public Command Command { get; }

    /// <summary>The reference doc's examples, shown under "Examples:" in <c>--help</c>.</summary>
    public static IReadOnlyList<HelpExample> Examples { get; } =
    [
        new("Logout from a specific identity (positional argument, --identity flag or its short form)", "atmos auth logout dev-admin", "atmos auth logout --identity dev-admin", "atmos auth logout -i dev-admin"),
        new("Logout from all identities", "atmos auth logout --all"),
        new("Logout from every realm on this machine (every atmos_ keyring entry and realm folder)", "atmos auth logout --all-realms"),
        new("Logout from a specific provider (removes its whole config directory)", "atmos auth logout --provider aws-sso"),
        new("Logout from every provider and identity tagged ci or production", "atmos auth logout --tags ci,production"),
        new("Interactive mode: choose what to logout from", "atmos auth logout"),
        new("Preview what would be removed without deleting anything", "atmos auth logout dev-admin --dry-run", "atmos auth logout --all --dry-run"),
        new("Also delete keychain credentials (interactive confirmation)", "atmos auth logout dev-admin --keychain"),
        new("Bypass the confirmation in CI/CD (non-interactive)", "atmos auth logout dev-admin --keychain --force"),
        new("One JSON document on stdout for scripts", "atmos auth logout --all --output json"),
    ];

    /// <summary>Runs the logout and returns its exit code (from the events only).</summary>
    public async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = Options(parseResult);
        var context = RunSetup.Build(_host, _config.Request(parseResult, _host));
        using var plugins = context.Catalog; // stops the plugin processes the run started
        // Warnings, and errors that block only some entries without naming them (a broken plugins.json): the run goes on.
        foreach (var warning in context.Problems.Where(p => p.IsPrintedBeforeRun))
        {
            _host.Error.WriteLine(TerminalText.Line(warning.ToString()));
        }

        var collector = new EventCollector();
        IEventSink[] sinks = [new ConsoleSink(_host.Error, _host.UseColor, DebugLog.ParseLevel(_host.Variable("ATMOS_LOGS_LEVEL"))), collector];
        sinks = [.. sinks, .. Engine.Audit.AuditTrail.For(context.Config.Audit, context.Paths, context.LockTimeout, _host.Error, cancellationToken)];
        var interaction = _host.Interaction ?? (_host.InputIsTerminal && _host.ErrorIsTerminal ? new TerminalInteraction(_host.UseColor) : NonInteractive.Instance);
        var state = await LogoutEngine.RunAsync(context, options, interaction, sinks, cancellationToken).ConfigureAwait(false);
        if (Value(parseResult, _output) == OutputFormat.Json)
        {
            await _host.Out.WriteLineAsync(JsonReport.Build(collector.Events)).ConfigureAwait(false);
            await _host.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.From(state);
    }

    /// <summary>The flags, with the identity taken from the argument, the option or the environment (in that order).</summary>
    private LogoutOptions Options(ParseResult parseResult)
    {
        var positional = Value(parseResult, _identityArgument);
        var optionResult = parseResult.GetResult(_identityOption);
        var optionValue = Value(parseResult, _identityOption);
        var pick = optionResult is not null && optionValue is null && positional is null;
        var all = Value(parseResult, _all);
        var allRealms = Value(parseResult, _allRealms);
        var provider = Value(parseResult, _provider);
        var tags = Value(parseResult, _tags);
        string? usageError = positional is not null && positional.StartsWith('-')
            ? $"unknown option '{positional}'; run 'atmos auth logout --help' for usage"
            : parseResult.Errors.Count > 0 ? $"{AtmosCli.FirstError(parseResult)}; run 'atmos auth logout --help' for usage" : null;
        if (positional is not null && optionValue is not null && positional != optionValue)
        {
            usageError ??= $"two identities given ('{positional}' and --identity '{optionValue}'); give one";
        }

        var identity = positional ?? optionValue;
        if (identity is null && !pick && !all && !allRealms && provider is null && tags is null)
        {
            identity = _host.Variable("ATMOS_IDENTITY") ?? _host.Variable("IDENTITY");
        }

        return new LogoutOptions
        {
            Identity = identity,
            PickIdentity = pick,
            Provider = provider,
            Tags = tags is null ? null : Engine.Config.ConfigDiscovery.Split(tags),
            All = all,
            AllRealms = allRealms,
            DryRun = Value(parseResult, _dryRun),
            Keychain = Value(parseResult, _keychain),
            Force = Value(parseResult, _force),
            UsageError = usageError,
        };
    }

    // With parse errors (which the run reports as a usage error) a value may not convert, for instance an option given
    // twice: it is then read as unset instead of throwing.
    private static T? Value<T>(ParseResult parseResult, Option<T> option)
    {
        try
        {
            return parseResult.GetValue(option);
        }
        catch (InvalidOperationException) when (parseResult.Errors.Count > 0)
        {
            return default;
        }
    }

    private static T? Value<T>(ParseResult parseResult, Argument<T> argument)
    {
        try
        {
            return parseResult.GetValue(argument);
        }
        catch (InvalidOperationException) when (parseResult.Errors.Count > 0)
        {
            return default;
        }
    }

    /// <summary>Keeps every event of the run, for <c>--output json</c>.</summary>
    private sealed class EventCollector : IEventSink
    {
        private readonly List<LogoutEvent> _events = [];

        public IReadOnlyList<LogoutEvent> Events => _events;

        public void Record(LogoutEvent logoutEvent, RunState state) => _events.Add(logoutEvent);
    }
}
