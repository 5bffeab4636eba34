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

    /// <summary>The host a run of this instance sees, writing to the given streams.</summary>
    public HostEnvironment Host(TextWriter stdout, TextWriter stderr) => new()
    {
        Variables = new Dictionary<string, string>(Environment, StringComparer.Ordinal) { ["HOME"] = _home.Home },
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
