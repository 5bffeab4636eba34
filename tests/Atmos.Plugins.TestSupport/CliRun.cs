using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Host.Cli;

namespace Atmos.Plugins.Tests.Support;

/// <summary>The result of running the CLI in-process.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard error as lines, without the trailing empty one.</summary>
    public IReadOnlyList<string> Lines => Stderr.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}

/// <summary>Runs the real CLI in-process against a temp home, the built host's plugins.json (real plugin assemblies), and a shared keyring.</summary>
public sealed class CliRun
{
    private readonly TempHome _home;

    public CliRun(TempHome home, IKeyring? keyring = null)
    {
        _home = home;
        Keyring = keyring ?? new MemoryKeyring();
    }

    /// <summary>The keyring every run of this instance uses.</summary>
    public IKeyring Keyring { get; }

    /// <summary>Extra environment variables.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Prompts to use (default: no terminal).</summary>
    public IUserInteraction Interaction { get; set; } = NonInteractive.Instance;

    /// <summary>$XDG_STATE_HOME of the runs: the audit trail is <c>&lt;StateFolder&gt;/atmos/audit.jsonl</c>.</summary>
    public string StateFolder => Path.Join(_home.Root, "state");

    /// <summary>The audit trail of the runs.</summary>
    public string AuditPath => Path.Join(StateFolder, "atmos", "audit.jsonl");

    /// <summary>The folder the CLI runs in.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>The clock events are stamped with (default: the system clock).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Whether standard error pretends to be a terminal (colour).</summary>
    public bool ErrorIsTerminal { get; set; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AtmosCli.RunAsync(args, Host(stdout, stderr));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    // The audit trail goes beside HOME, not into it: tests that fingerprint HOME check credentials, and audit tests
    // read the trail where StateFolder says. Extra variables override both.
    private Dictionary<string, string> Variables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = _home.Home, ["XDG_STATE_HOME"] = StateFolder };
        foreach (var (name, value) in Environment)
        {
            variables[name] = value;
        }

        return variables;
    }

    /// <summary>The host a run of this instance sees, writing to the given streams.</summary>
    public HostEnvironment Host(TextWriter stdout, TextWriter stderr) => new()
    {
        Variables = Variables(),
        Home = _home.Home,
        WorkingDirectory = WorkingDirectory ?? _home.Root,
        Out = stdout,
        Error = stderr,
        InstallFolder = RepoPaths.HostOutput,
        Interaction = Interaction,
        Keyring = Keyring,
        Clock = Clock,
        ErrorIsTerminal = ErrorIsTerminal,
    };
}
