using System.CommandLine;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Engine.Status;
using Atmos.Plugins.Host.Terminal;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// <c>atmos auth status [identity] [--provider NAME] [--output text|json]</c>: the read-only twin of logout. Never
/// prompts (not even to unlock the keyring) and never writes. Exit 0, 1 when the keyring or a plugin could not be
/// read (the report is partial), 2 for usage or configuration errors.
/// </summary>
internal sealed class StatusCommand
{
    private readonly Argument<string?> _identity = new("identity")
    {
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "identity", // without it, help would run the completion source (read atmos.yaml) to list values
        Description = "Show only this identity and its authentication chain. If omitted, shows every identity and provider.",
    };

    private readonly Option<string?> _provider = new("--provider")
    {
        Description = "Show only this provider and the identities that use it.",
        HelpName = "name",
    };

    private readonly Option<string> _output = OutputFormat.Option("Output format: text (a table on a terminal, plain lines otherwise, on stderr) or json (one JSON document on stdout).");

    private readonly ConfigOptions _config;
    private readonly HostEnvironment _host;

    public StatusCommand(HostEnvironment host, ConfigOptions config)
    {
        _host = host;
        _config = config;
        Command = new Command("status", "Show which credentials are stored now: for each identity and provider, its keyring entry (session or keychain credential) and its files, with expiry where the credential carries one. Read-only: never prompts and never writes.")
        {
            _identity, _provider, _output,
        };
        Command.SetAction(ExecuteAsync);
        _identity.CompletionSources.Add(Completions.Identities(host, config));
        _provider.CompletionSources.Add(Completions.Providers(host, config));
    }

    public Command Command { get; }

    private async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var context = RunSetup.Build(_host, _config.Request(parseResult, _host));
        using var plugins = context.Catalog; // stops the plugin processes the run started
        foreach (var warning in context.Problems.Where(p => p.IsPrintedBeforeRun))
        {
            await _host.Error.WriteLineAsync(warning.ToString()).ConfigureAwait(false);
        }

        var (report, rejection) = await StatusInspector.InspectAsync(context, parseResult.GetValue(_identity), parseResult.GetValue(_provider), cancellationToken).ConfigureAwait(false);
        var sink = new ConsoleSink(_host.Error, _host.UseColor, LogLevel.Off);
        if (report is null)
        {
            sink.Write(HumanOutput.Rejection(rejection!));
            return ExitCodes.Usage;
        }

        if (parseResult.GetValue(_output) == OutputFormat.Json)
        {
            await _host.Out.WriteLineAsync(StatusOutput.Json(report)).ConfigureAwait(false);
            await _host.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!_host.ErrorIsTerminal || !StatusTable.Write(report, _host.Error, _host.UseColor, _host.Variable("COLUMNS")))
        {
            // A pipe, or a terminal too narrow for the table without breaking a file name.
            sink.Write(StatusOutput.Lines(report));
        }

        return StatusOutput.ExitCode(report);
    }
}
