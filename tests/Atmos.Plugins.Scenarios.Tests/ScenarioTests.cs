using System.ComponentModel;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Tests.Support;
using Atmos.Plugins.Scenarios.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Scenarios.Tests;

/// <summary>
/// Runs every scenario of tests/Scenarios for real in a temp HOME, then replays it from its audit trail (and from its
/// --output json, when it has one), and checks the plan, the events, the output and the exit code against the
/// snapshots beside the scenario. See tests/Scenarios/README.md for the format and for updating snapshots.
/// </summary>
public sealed class ScenarioTests
{
    public static TheoryData<string> Plain => Select(s => !s.NeedsSecretService && s.DenyWrite.Count == 0);

    public static TheoryData<string> WithSecretService => Select(s => s.NeedsSecretService);

    public static TheoryData<string> WithPermissionDenied => Select(s => !s.NeedsSecretService && s.DenyWrite.Count > 0);

    [Theory]
    [MemberData(nameof(Plain))]
    public Task Scenario_runs_and_replays_as_its_snapshots_say(string name) => RunAsync(name);

    [RequiresSecretServiceTheory]
    [MemberData(nameof(WithSecretService))]
    public Task Scenario_against_a_real_secret_service_runs_and_replays_as_its_snapshots_say(string name) => RunAsync(name);

    [RequiresPermissionDeniedTheory]
    [MemberData(nameof(WithPermissionDenied))]
    public Task Scenario_with_permission_denied_runs_and_replays_as_its_snapshots_say(string name) => RunAsync(name);

    [Fact]
    public void Every_scenario_is_well_formed_and_has_its_snapshots()
    {
        var names = Scenario.Names().ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var scenario = Scenario.Load(name);
            Assert.True(File.Exists(Path.Join(scenario.Folder, "atmos.yaml")), $"{name} has no atmos.yaml");
            Assert.Equal("auth", scenario.Command[0]);
            Assert.True(scenario.KeyringEntries.Count == 0 || scenario.Secrets.Count > 0, $"{name} seeds keyring entries without a SECRET value, so the leak check has nothing to look for");
            foreach (var snapshot in scenario.SnapshotFiles ? new[] { "plan.snap", "events.snap", "output.snap", "files.snap" } : ["plan.snap", "events.snap", "output.snap"])
            {
                Assert.True(File.Exists(Path.Join(scenario.Folder, FileNames.SnapshotFolderName, snapshot)), $"{name} has no {snapshot}; run its test once to create it, review it, commit it");
            }
        }
    }

    private static TheoryData<string> Select(Func<Scenario, bool> which)
    {
        var data = new TheoryData<string>();
        foreach (var name in Scenario.Names().Where(n => which(Scenario.Load(n))))
        {
            data.Add(name);
        }

        return data;
    }

    private static async Task RunAsync(string name)
    {
        var scenario = Scenario.Load(name);
        await using var run = await ScenarioRun.PrepareAsync(scenario);

        var outcome = await run.RunAsync();

        // The run's events as recorded: the audit trail, or --output json when the scenario turns the trail off.
        var json = scenario.Command.Contains("json") && scenario.Command.Any(a => a is "--output" or "-o");
        var audited = File.Exists(run.AuditPath);
        Assert.True(audited || json, $"{name}: no audit trail and no --output json, so there is nothing to replay");
        var recorded = audited ? RecordedRuns.ReadFile(run.AuditPath, "audit.jsonl") : RecordedRuns.Parse(outcome.Stdout, "stdout");
        var events = Assert.Single(recorded.Runs).Events;
        var runId = recorded.Latest.Id;
        string Scrub(string text) => run.Scrub(text).Replace(runId, "<run>", StringComparison.Ordinal);

        var plan = ScenarioSnapshots.Plan(events, Scrub);
        var eventLines = ScenarioSnapshots.Events(events, Scrub);
        var output = ScenarioSnapshots.Output(scenario.Command, outcome, Scrub);

        // Every snapshot is compared (and every mismatch written to __mismatch__) before the test fails, so one run of
        // the suite shows all that changed.
        var mismatches = new List<string>();
        void Match(string text, string file)
        {
            try
            {
                Snapshot.Match(text, new SnapshotFullName(file, scenario.Folder));
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException)
            {
                mismatches.Add($"{name}/{FileNames.SnapshotFolderName}/{file}: {ex.Message}");
            }
        }

        Match(plan, "plan.snap");
        Match(eventLines, "events.snap");
        Match(output, "output.snap");
        if (scenario.SnapshotFiles)
        {
            // What is left, file by file: each scope removes exactly its artifacts, every other byte stays.
            Match(Scrub(ScenarioSnapshots.Files(run.Home)), "files.snap");
        }

        // Replayed from the audit trail and from the JSON document: the same stderr (but for the few lines that are
        // not projections of events), the same exit code, the same JSON.
        var expectedStderr = string.Concat(outcome.Stderr.Split('\n').SkipLast(1).Where(l => !ScenarioSnapshots.IsOutsideTheEvents(l)).Select(l => l + "\n"));
        var sources = new List<string>();
        if (audited)
        {
            sources.Add(run.AuditPath);
            Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(run.AuditPath));
        }

        if (json)
        {
            var document = Path.Join(run.Root, "output.json");
            await File.WriteAllTextAsync(document, outcome.Stdout);
            sources.Add(document);
        }

        foreach (var source in sources)
        {
            var replay = await run.ReplayAsync(json ? [source, "--output", "json"] : [source]);

            Assert.Equal(outcome.ExitCode, replay.ExitCode);
            Assert.Equal(expectedStderr, replay.Stderr);
            Assert.Equal(outcome.Stdout, replay.Stdout);
            if (expectedStderr == outcome.Stderr)
            {
                Match(ScenarioSnapshots.Output(scenario.Command, replay, Scrub), "output.snap");
            }
        }

        // No seeded secret anywhere: output, audit trail, snapshots.
        var audit = audited ? await File.ReadAllTextAsync(run.AuditPath) : string.Empty;
        foreach (var secret in scenario.Secrets)
        {
            foreach (var (what, text) in new[] { ("stderr", outcome.Stderr), ("stdout", outcome.Stdout), ("audit trail", audit), ("plan", plan), ("events", eventLines), ("output", output) })
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name}: the seeded secret '{secret}' appears in the {what}");
            }
        }

        // What the scope covers is gone, what lies outside it is untouched (expect: in scenario.yaml).
        foreach (var path in scenario.ExpectGone)
        {
            Assert.False(Path.Exists(Path.Join(run.Home, path)) || new FileInfo(Path.Join(run.Home, path)).LinkTarget is not null, $"{name}: {path} should be gone");
        }

        foreach (var path in scenario.ExpectLeft)
        {
            Assert.True(Path.Exists(Path.Join(run.Home, path)), $"{name}: {path} should be left");
            if (scenario.Files.TryGetValue(path, out var seeded))
            {
                Assert.Equal(seeded, await File.ReadAllTextAsync(Path.Join(run.Home, path)));
            }
        }

        foreach (var (path, content) in scenario.ExpectContent)
        {
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Join(run.Home, path)));
        }

        if (scenario.ExpectKeyring is { } keyringLeft)
        {
            Assert.Equal(keyringLeft.Order(StringComparer.Ordinal), await run.KeyringLeftAsync());
        }

        Assert.True(mismatches.Count == 0, $"snapshots differ (the new ones are in __mismatch__; accept them with scripts/accept-snapshots):\n{string.Join("\n\n", mismatches.Distinct())}");
    }
}

/// <summary>A theory that needs dbus-run-session, gnome-keyring-daemon, dbus-send and secret-tool; skipped with the reason otherwise.</summary>
public sealed class RequiresSecretServiceTheoryAttribute : TheoryAttribute
{
    public RequiresSecretServiceTheoryAttribute()
    {
        var missing = Tools.Missing("dbus-run-session", "gnome-keyring-daemon", "dbus-send", "secret-tool");
        if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} (Debian packages dbus, gnome-keyring, libsecret-tools); .ci/run installs them";
        }
    }
}

/// <summary>
/// A theory that needs "permission denied" to bite: a normal user (chmod), or root allowed to set the immutable
/// attribute (chattr +i; root ignores file modes). Skipped with the reason otherwise.
/// </summary>
public sealed class RequiresPermissionDeniedTheoryAttribute : TheoryAttribute
{
    public RequiresPermissionDeniedTheoryAttribute()
    {
        if (Environment.IsPrivilegedProcess && !CanMakeImmutable())
        {
            Skip = "running as root without CAP_LINUX_IMMUTABLE (or on a file system without the immutable attribute): permission denied cannot be simulated; run the tests as a normal user";
        }
    }

    private static bool CanMakeImmutable()
    {
        var probe = Directory.CreateTempSubdirectory("atmos-chattr-probe-").FullName;
        try
        {
            return ScenarioRun.TryChattr("+i", probe) && ScenarioRun.TryChattr("-i", probe);
        }
        catch (Win32Exception)
        {
            return false;
        }
        finally
        {
            Directory.Delete(probe);
        }
    }
}
