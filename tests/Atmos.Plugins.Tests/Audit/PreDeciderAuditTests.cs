using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Audit;

/// <summary>
/// An audit trail written before the logout became a decider (contract 1.2, wire names taken from class names) still
/// replays exactly as it did then. <c>Fixtures/audit-1.2.jsonl</c> holds ten runs as that build wrote them (from the
/// scenario snapshots of the time: an identity, a decline, a usage error, a broken plugin, permission denied, an escaped
/// picker, a locked keyring, failures, an <c>--all-realms</c> dry run, every kind); <c>audit-1.2.replay.txt</c> is what
/// that build's <c>atmos auth replay</c> printed for each. Never regenerate them: they are the old format on disk.
/// </summary>
public sealed class PreDeciderAuditTests : IDisposable
{
    private static readonly string Fixtures = Path.Join(RepoPaths.Root, "tests", "Atmos.Plugins.Tests", "Audit", "Fixtures");
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Every_run_of_an_audit_file_written_before_the_change_replays_as_it_did()
    {
        var file = Path.Join(Fixtures, "audit-1.2.jsonl");
        var runs = RecordedRuns.ReadFile(file, "audit-1.2.jsonl").Runs;
        Assert.Equal(10, runs.Count);
        var cli = new CliRun(_home);

        var replayed = new List<string>();
        foreach (var run in runs)
        {
            var replay = await cli.RunAsync("auth", "replay", file, "--run", run.Id);
            replayed.Add($"## run {run.Id}\nexit code: {replay.ExitCode}\n{replay.Stderr.ReplaceLineEndings("\n")}");
        }

        var expected = Path.Join(Fixtures, "audit-1.2.replay.txt");
        if (Environment.GetEnvironmentVariable("ATMOS_WRITE_PRE_DECIDER_FIXTURE") == "1")
        {
            File.WriteAllText(expected, string.Join("\n", replayed));
        }

        Assert.Equal(File.ReadAllText(expected), string.Join("\n", replayed));
    }
}
