using System.CommandLine;
using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Host.Terminal;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// <c>atmos auth replay [FILE] [--run ID] [--list] [--output text|json]</c>: rebuilds a recorded run's output, summary
/// and exit code from its events alone. Reads FILE and nothing else: no config, no plugins, no keyring.
/// </summary>
internal sealed class ReplayCommand
{
    private readonly Argument<string?> _file = new("file")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "An audit file (default: $XDG_STATE_HOME/atmos/audit.jsonl, else ~/.local/state/atmos/audit.jsonl) or a document written by 'atmos auth logout --output json'.",
    };

    private readonly Option<string?> _run = new("--run")
    {
        Description = "The run to replay: its id or a unique prefix of it (default: the run that finished last). See --list.",
        HelpName = "id",
    };

    private readonly Option<bool> _list = new("--list")
    {
        Description = "List the recorded runs (id, start time, exit code, command, result) instead of replaying one.",
    };

    private readonly Option<string> _output = OutputFormat.Option("Output format: text (the run's human output on stderr) or json (the run's JSON document, or the run list, on stdout).");

    private readonly HostEnvironment _host;

    public ReplayCommand(HostEnvironment host)
    {
        _host = host;
        Command = new Command("replay", "Replay a recorded logout from the audit trail or from --output json: prints the run's output and summary and exits with its exit code, changing nothing.")
        {
            _file, _run, _list, _output,
        };
        Command.SetAction(Execute);
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult)
    {
        var json = parseResult.GetValue(_output) == OutputFormat.Json;
        var runId = parseResult.GetValue(_run);
        var list = parseResult.GetValue(_list);
        if (list && runId is not null)
        {
            return Fail("--list shows every run and --run replays one; give one of them");
        }

        if (parseResult.GetValue(_file) is { } option && option.StartsWith('-'))
        {
            // An unknown flag lands in the optional argument; a file named like a flag can be given as ./-name.
            return Fail($"unknown option '{option}'; run 'atmos auth replay --help' for usage");
        }

        var file = parseResult.GetValue(_file) is { } given
            ? Path.GetFullPath(given, _host.WorkingDirectory)
            : AuditTrail.DefaultPath(_host.Variables, _host.Home);
        if (list && !File.Exists(file) && !Directory.Exists(file))
        {
            // Nothing recorded yet is an answer, not an error (a fresh machine, or the audit turned off).
            var shown = HumanOutput.Display(file, _host.Home);
            if (json)
            {
                _host.Out.WriteLine(RunList.Json(shown, []));
            }
            else
            {
                _host.Error.WriteLine($"No runs recorded yet: {shown} does not exist (every logout, dry runs included, adds its run to it).");
            }

            return ExitCodes.Success;
        }

        RecordedRuns runs;
        RecordedRun run;
        try
        {
            runs = RecordedRuns.ReadFile(file, HumanOutput.Display(file, _host.Home));
            run = runs.Select(runId);
        }
        catch (ReplayException ex)
        {
            return Fail(ex.Message);
        }

        foreach (var warning in runs.Warnings.Concat(list ? runs.Runs.SelectMany(r => r.Skipped) : run.Skipped))
        {
            _host.Error.WriteLine($"⚠️ {warning}");
        }

        if (list)
        {
            if (json)
            {
                _host.Out.WriteLine(RunList.Json(runs));
            }
            else
            {
                foreach (var line in RunList.Lines(runs))
                {
                    _host.Error.WriteLine(line);
                }
            }

            return ExitCodes.Success;
        }

        var state = run.Replay(new ConsoleSink(_host.Error, _host.UseColor, DebugLog.ParseLevel(_host.Variable("ATMOS_LOGS_LEVEL"))));
        if (!run.Complete)
        {
            _host.Error.WriteLine($"⚠️ Run {run.Id} is incomplete: the process stopped before it finished (killed or crashed); shown is what it recorded");
        }

        if (json)
        {
            _host.Out.WriteLine(JsonReport.Build(run.Events));
        }

        return ExitCodes.From(state);
    }

    private int Fail(string message)
    {
        _host.Error.WriteLine($"Error: {message}");
        return ExitCodes.Usage;
    }
}
