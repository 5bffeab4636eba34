using System.CommandLine;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Cli;

/// <summary>The <c>atmos</c> command tree.</summary>
public static class AtmosCli
{
    /// <summary>The command tree (for completion and help tests: <c>Root(host).Parse(line).GetCompletions()</c>).</summary>
    /// <param name="host">The process (or a test's stand-in).</param>
    public static RootCommand Root(HostEnvironment host) => Build(host).Root;

    /// <summary>
    /// Parses and runs a command line; returns the exit code. The one error boundary of the host: a usage error is one
    /// line and exit 2; anything unexpected is one line and exit 1 (a logout records it in its events first, so the audit
    /// trail keeps it), never a stack trace. Each command returns its own exit code.
    /// </summary>
    /// <param name="args">The arguments.</param>
    /// <param name="host">The process (or a test's stand-in).</param>
    public static async Task<int> RunAsync(string[] args, HostEnvironment host)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            return await ParseAndRunAsync(args, host).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await host.Error.WriteLineAsync("Interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            await host.Error.WriteLineAsync(TerminalText.Line($"Error: unexpected failure: {LogoutEngine.OneLine(ex)} (a bug: please report it)")).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    private static async Task<int> ParseAndRunAsync(string[] args, HostEnvironment host)
    {
        var (root, logout) = Build(host);

        // No response files: "atmos auth logout @name" must not read a file called "name" for more arguments.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0 && parseResult.CommandResult.Command != logout.Command)
        {
            // Logout reports its own parse errors through its events; elsewhere, one line and exit 2.
            await host.Error.WriteLineAsync(TerminalText.Line($"Error: {FirstError(parseResult)}; run 'atmos --help' for usage")).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var interrupt = new CancellationTokenSource();
        var finished = new TaskCompletionSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl-C: stop waiting at once (every wait of a run honours the token), still summarise and audit. A
            // second one kills the process.
            e.Cancel = !interrupt.IsCancellationRequested;
            if (!interrupt.IsCancellationRequested)
            {
                interrupt.Cancel();
                _ = CutOffAsync(finished.Task, host.Error);
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (parseResult.Errors.Count > 0)
            {
                return await logout.ExecuteAsync(parseResult, interrupt.Token).ConfigureAwait(false);
            }

            var invocation = new InvocationConfiguration { Output = host.Out, Error = host.Error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await parseResult.InvokeAsync(invocation, interrupt.Token).ConfigureAwait(false);
        }
        finally
        {
            finished.TrySetResult();
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>How long a run may take to finish after Ctrl-C before the process ends anyway (exit 130).</summary>
    internal static TimeSpan InterruptGrace { get; } = TimeSpan.FromMilliseconds(800);

    // Ctrl-C ends any run within a second: a run normally summarises and exits at once, but something that does not
    // honour the token (a plugin stuck in a system call, a file system that does not answer) must not keep it alive.
    // The steps done so far were printed and audited as they happened.
    private static async Task CutOffAsync(Task finished, TextWriter error)
    {
        if (await Task.WhenAny(finished, Task.Delay(InterruptGrace)).ConfigureAwait(false) == finished)
        {
            return;
        }

        try
        {
            await error.WriteLineAsync("Interrupted: stopped waiting for the operation in progress; the lines above show what was done").ConfigureAwait(false);
            await error.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            Environment.Exit(ExitCodes.Interrupted);
        }
    }

    private static (RootCommand Root, LogoutCommand Logout) Build(HostEnvironment host)
    {
        var config = new ConfigOptions();
        config.Profile.CompletionSources.Add(context => ConfigOptions.Complete(context, config.Profile, Completions.Profiles(host, config)));
        var logout = new LogoutCommand(host, config);
        var auth = new Command("auth", "Manage cloud authentication: log out, show what is stored, validate configuration, replay audited runs.")
        {
            logout.Command,
            new ValidateCommand(host, config).Command,
            new StatusCommand(host, config).Command,
            new ReplayCommand(host).Command,
        };
        var root = new RootCommand("atmos: remove locally cached cloud credentials safely, with a clear report.") { auth, new PluginsCommand(host, config).Command };
        foreach (var option in config.All)
        {
            root.Options.Add(option);
        }

        Help.Configure(root, new Dictionary<Command, IReadOnlyList<HelpExample>> { [logout.Command] = LogoutCommand.Examples });
        return (root, logout);
    }

    /// <summary>
    /// The first parse error on one line (System.CommandLine lists allowed values on indented lines), without its final
    /// full stop: callers go on with "; run ... for usage".
    /// </summary>
    /// <param name="parseResult">A result with errors.</param>
    internal static string FirstError(ParseResult parseResult) =>
        string.Join(' ', parseResult.Errors[0].Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
