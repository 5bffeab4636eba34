using System.Diagnostics;
using System.Runtime.InteropServices;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;
using Xunit.Abstractions;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>
/// Ctrl-C (SIGINT) ends any run of the published atmos within a second, with exit 130 and what was done still
/// summarised: here while a logout waits for a lock another process holds (ATMOS_LOCK_TIMEOUT 60 s).
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed partial class InterruptTests : IDisposable
{
    private readonly PublishedAtmos _atmos;
    private readonly ITestOutputHelper _output;
    private readonly TempHome _home = new();

    public InterruptTests(PublishedAtmos atmos, ITestOutputHelper output)
    {
        _atmos = atmos;
        _output = output;
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Ctrl_C_while_a_logout_waits_for_a_held_lock_ends_it_within_a_second_with_a_summary()
    {
        var tree = new LoadTree(identities: 2, unrelated: 10);
        var config = tree.Seed(_home);
        var audit = Path.Join(_home.Root, "state", "atmos", "audit.jsonl");
        using var held = FileLock.Acquire(_home.PathOf($"{LoadTree.Folder}/credentials"), TimeSpan.FromSeconds(10));

        var start = new ProcessStartInfo(_atmos.Executable, ["auth", "logout", tree.Identities[0], "--config", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = _home.Root,
        };
        foreach (var (key, value) in AtmosProcess.Environment(_home))
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();

        // The run's first audit batch is written when removal starts; the file step then waits for the held lock.
        var waited = Stopwatch.StartNew();
        while (!(File.Exists(audit) && File.ReadAllText(audit).Contains("\"RemovalStarted\"", StringComparison.Ordinal)))
        {
            Assert.False(process.HasExited, "atmos ended before it reached the lock");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "atmos did not start removing within 30 s");
            await Task.Delay(20);
        }

        await Task.Delay(300);
        Assert.False(process.HasExited);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Kill(process.Id, 2));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "atmos did not end within 10 s of Ctrl-C");
        var took = clock.Elapsed;
        var errors = await stderr;
        var lines = errors.TrimEnd('\n').Split('\n');
        _output.WriteLine($"exit {process.ExitCode} {took.TotalMilliseconds:0} ms after SIGINT\n{errors}");

        // Far below the 60 s lock wait it interrupts, and wide enough that a loaded 2-core CI machine cannot flip it.
        Assert.True(took < TimeSpan.FromSeconds(3), $"atmos took {took.TotalMilliseconds:0} ms to end after Ctrl-C");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains(lines, l => l.StartsWith("⚠️ Interrupted: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Logged out with warnings (", StringComparison.Ordinal) || l.StartsWith("Logout failed (", StringComparison.Ordinal));
        Assert.Contains("\"LogoutCompleted\"", File.ReadAllText(audit), StringComparison.Ordinal);

        // Nothing was changed by the interrupted edit.
        FileChecks.Equal(tree.CredentialsFile.Original, File.ReadAllBytes(_home.PathOf($"{LoadTree.Folder}/credentials")), "credentials");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
