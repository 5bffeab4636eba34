using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Audit;

/// <summary>
/// Every run (real, dry, rejected) appends its events to the audit trail; the trail can be moved or turned off, and a
/// trail that cannot be written costs one warning line, never the logout.
/// </summary>
public sealed class AuditTrailTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string ConfigWithAudit(string auditSection) => _tree.Home.Write("project/atmos.yaml", AwsTree.Config + "\n" + auditSection);

    private static List<JsonElement> Parse(string path) =>
        File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    [Fact]
    public async Task A_logout_appends_exactly_the_events_of_its_json_output_with_no_secret()
    {
        var result = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--output", "json", "--config", _tree.Config);

        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(_tree.Cli.AuditPath);
        using var report = JsonDocument.Parse(result.Stdout);
        var reported = report.RootElement.GetProperty("events").EnumerateArray().Select(e => JsonSerializer.Serialize(e)).ToList();
        Assert.Equal(reported, lines.Select(l => JsonSerializer.Serialize(JsonDocument.Parse(l).RootElement)));

        var events = Parse(_tree.Cli.AuditPath);
        var run = report.RootElement.GetProperty("run").GetString();
        Assert.All(events, e => Assert.Equal(run, e.GetProperty("run").GetString()));
        Assert.All(events, e => Assert.Equal(LogoutEvent.CurrentVersion, e.GetProperty("v").GetInt32()));
        Assert.All(events, e => Assert.Equal(TimeSpan.Zero, e.GetProperty("at").GetDateTimeOffset().Offset));
        Assert.Equal("LogoutRequested", events[0].GetProperty("type").GetString());
        Assert.Equal("LogoutCompleted", events[^1].GetProperty("type").GetString());
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "StepPlanned" && e.GetProperty("step").GetProperty("class").GetString() == "session");

        var text = File.ReadAllText(_tree.Cli.AuditPath);
        Assert.All(AwsTree.Secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(_tree.Cli.AuditPath));
    }

    [Fact]
    public async Task Dry_runs_and_rejected_runs_are_audited_too_each_run_in_order()
    {
        await _tree.Cli.RunAsync("auth", "logout", "--all", "--dry-run", "--config", _tree.Config);
        await _tree.Cli.RunAsync("auth", "logout", "nobody", "--config", _tree.Config);
        await _tree.Cli.RunAsync("auth", "logout", "--all", "--keychain", "--config", _tree.Config);

        var runs = RecordedRuns.ReadFile(_tree.Cli.AuditPath, "audit.jsonl").Runs;
        Assert.Equal(3, runs.Count);
        Assert.True(runs[0].State.DryRun);
        Assert.Equal(ExitCodes.Success, ExitCodes.From(runs[0].State));
        Assert.Equal("identity \"nobody\" not found in configuration", runs[1].State.Rejected?.Error);
        Assert.StartsWith("--keychain permanently deletes", runs[2].State.Rejected?.Error, StringComparison.Ordinal);
        Assert.All(runs, r => Assert.True(r.Complete));
    }

    [Fact]
    public async Task Audit_enabled_false_writes_nothing()
    {
        var config = ConfigWithAudit("  audit:\n    enabled: false\n");

        var result = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.False(Directory.Exists(_tree.Cli.StateFolder));
    }

    [Fact]
    public async Task Audit_path_moves_the_file_with_tilde_expanded_and_relative_paths_anchored_at_atmos_yaml()
    {
        var tilde = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", ConfigWithAudit("  audit:\n    path: ~/logs/atmos-audit.jsonl\n"));
        var relative = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", ConfigWithAudit("  audit:\n    path: audit/trail.jsonl\n"));

        Assert.Equal(0, tilde.ExitCode);
        Assert.Equal(0, relative.ExitCode);
        Assert.Single(File.ReadAllLines(_tree.Home.PathOf("logs/atmos-audit.jsonl")), l => l.Contains("LogoutCompleted", StringComparison.Ordinal));
        Assert.Single(File.ReadAllLines(_tree.Home.PathOf("project/audit/trail.jsonl")), l => l.Contains("LogoutCompleted", StringComparison.Ordinal));
        Assert.False(File.Exists(_tree.Cli.AuditPath));
    }

    [Fact]
    public async Task An_unwritable_audit_costs_one_warning_line_naming_the_file_and_the_fix_and_not_the_logout()
    {
        _tree.Home.Write("blocker", "a regular file where the audit folder should be\n");
        var config = ConfigWithAudit("  audit:\n    path: ~/blocker/audit.jsonl\n");

        var result = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Successfully logged out from 3 identities", result.Lines);
        Assert.DoesNotContain("[dev-admin]", _tree.Home.Read($"{AwsTree.SsoFolder}/credentials"), StringComparison.Ordinal);
        var warning = Assert.Single(result.Lines, l => l.Contains("Audit trail", StringComparison.Ordinal));
        Assert.Equal(warning, result.Lines[^1]);
        Assert.StartsWith("⚠️ Audit trail not written to ~/blocker/audit.jsonl: ", warning, StringComparison.Ordinal);
        Assert.Contains("auth.audit.path", warning, StringComparison.Ordinal);
        Assert.Contains("auth.audit.enabled: false", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(_tree.Home.Home, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_path_that_is_a_folder_or_a_link_is_refused_with_a_warning()
    {
        Directory.CreateDirectory(_tree.Home.PathOf("logs"));
        var target = _tree.Home.Write("elsewhere.jsonl", "keep\n");
        File.CreateSymbolicLink(_tree.Home.PathOf("link.jsonl"), target);

        var folder = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", ConfigWithAudit("  audit:\n    path: ~/logs\n"));
        var link = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", ConfigWithAudit("  audit:\n    path: ~/link.jsonl\n"));

        Assert.Equal(0, folder.ExitCode);
        Assert.Equal("⚠️ Audit trail not written to ~/logs: it is a folder, not a regular file; point auth.audit.path at a new file or at atmos's own audit trail, or turn the audit off with auth.audit.enabled: false", folder.Lines[^1]);
        Assert.StartsWith("⚠️ Audit trail not written to ~/link.jsonl: it is a symbolic link; refusing to follow it; ", link.Lines[^1], StringComparison.Ordinal);
        Assert.Equal("keep\n", File.ReadAllText(target));
    }

    [Fact]
    public async Task An_unexpandable_audit_path_is_one_warning_and_the_logout_still_runs()
    {
        var result = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", ConfigWithAudit("  audit:\n    path: ~someone/audit.jsonl\n"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "⚠️ Audit trail not written: auth.audit.path '~someone/audit.jsonl' cannot be expanded (only ~ and ~/... are supported); write the full path, or set auth.audit.enabled: false",
            result.Lines[^1]);
    }

    [Fact]
    public void Removal_start_appends_the_request_and_plan_so_a_killed_run_still_left_them()
    {
        var path = _tree.Home.PathOf("state/audit.jsonl");
        using var warnings = new StringWriter();
        var trail = new AuditTrail(path, _tree.Home.Home, TimeSpan.FromSeconds(5), warnings);
        var state = RunState.Initial;
        LogoutEvent[] beforeRemoval =
        [
            new LogoutRequested { Scope = ScopeKind.Identity, Target = "dev-admin", Run = "r1" },
            new StepPlanned { Run = "r1", Step = new StepData { Index = 0, Type = StepType.Keyring, Target = "dev-admin", Principals = ["dev-admin"] } },
        ];
        foreach (var logoutEvent in beforeRemoval)
        {
            trail.Record(logoutEvent, state);
        }

        Assert.False(File.Exists(path));
        trail.Record(new RemovalStarted { Run = "r1", Steps = 1 }, state);
        Assert.Equal(3, File.ReadAllLines(path).Length);

        trail.Record(new CredentialRemoved { Run = "r1", Step = 0 }, state);
        Assert.Equal(3, File.ReadAllLines(path).Length);
        trail.Record(new LogoutCompleted { Run = "r1" }, state);
        Assert.Equal(5, File.ReadAllLines(path).Length);
        Assert.Empty(warnings.ToString());
    }

    [Fact]
    public void A_failed_first_append_is_retried_with_the_whole_run_at_completion_without_a_warning()
    {
        var blocker = _tree.Home.Write("state", "not a folder yet\n");
        var path = Path.Join(blocker, "audit.jsonl");
        using var warnings = new StringWriter();
        var trail = new AuditTrail(path, _tree.Home.Home, TimeSpan.FromSeconds(5), warnings);

        trail.Record(new LogoutRequested { Scope = ScopeKind.All, Run = "r2" }, RunState.Initial);
        trail.Record(new RemovalStarted { Run = "r2" }, RunState.Initial);
        File.Delete(blocker);
        trail.Record(new LogoutCompleted { Run = "r2" }, RunState.Initial);

        Assert.Equal(["LogoutRequested", "RemovalStarted", "LogoutCompleted"], Parse(path).Select(e => e.GetProperty("type").GetString()));
        Assert.Empty(warnings.ToString());
    }

    [Theory]
    [InlineData(null, "/state/atmos/audit.jsonl")]
    [InlineData("~/a/b.jsonl", "/home/u/a/b.jsonl")]
    [InlineData("rel/b.jsonl", "/project/rel/b.jsonl")]
    [InlineData("/abs/b.jsonl", "/abs/b.jsonl")]
    [InlineData("~bob/b.jsonl", null)]
    [InlineData("  ", null)]
    public void The_audit_path_resolves_like_other_configured_paths(string? configured, string? expected)
    {
        var paths = new PathContext("/home/u", "/work", "/project", new Dictionary<string, string> { ["XDG_STATE_HOME"] = "/state" });

        Assert.Equal(expected, AuditTrail.ResolvePath(new AuditSettings(true, configured), paths));
    }

    [Fact]
    public void Without_XDG_STATE_HOME_the_audit_is_under_dot_local_state()
    {
        Assert.Equal("/home/u/.local/state/atmos/audit.jsonl", AuditTrail.DefaultPath(new Dictionary<string, string>(), "/home/u"));
    }

    [Fact]
    public void A_run_whose_events_take_more_than_a_rotation_is_not_recorded_and_rotates_nothing_away()
    {
        var path = _tree.Home.Write("state/audit.jsonl", "{\"earlier\":\"run\"}\n");
        File.WriteAllText(path + ".1", "older generation\n");
        using var warnings = new StringWriter();
        var trail = new AuditTrail(path, _tree.Home.Home, TimeSpan.FromSeconds(5), warnings);
        var target = new string('x', 4096);

        trail.Record(new LogoutRequested { Scope = ScopeKind.All }, RunState.Initial);
        for (var i = 0; i < 3_000; i++)
        {
            trail.Record(new StepPlanned { Step = new StepData { Index = i, Type = StepType.Files, Target = target, Principals = ["p"], Class = StepClass.Session } }, RunState.Initial);
        }

        trail.Record(new RemovalStarted { Steps = 3_000 }, RunState.Initial);
        trail.Record(new LogoutCompleted(), RunState.Initial);

        Assert.Equal("{\"earlier\":\"run\"}\n", File.ReadAllText(path));
        Assert.Equal("older generation\n", File.ReadAllText(path + ".1"));
        Assert.False(File.Exists(path + ".2"));
        Assert.Equal($"⚠️ Audit trail not written in ~/state/audit.jsonl: this run's events take more than the 10 MiB one run may add (more would rotate earlier runs away); keep the run's --output json if you need its record", warnings.ToString().TrimEnd());
    }
}
