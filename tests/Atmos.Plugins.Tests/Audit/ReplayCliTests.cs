using System.Text.Json;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Audit;

/// <summary>
/// `atmos auth replay`: a run's stderr, exit code and JSON rebuilt from its recorded events alone, from the audit file
/// or from --output json, touching nothing.
/// </summary>
public sealed class ReplayCliTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string RunId(CliResult jsonRun)
    {
        using var document = JsonDocument.Parse(jsonRun.Stdout);
        return document.RootElement.GetProperty("run").GetString()!;
    }

    [Fact]
    public async Task Replaying_each_run_of_the_audit_prints_its_stderr_and_returns_its_exit_code()
    {
        _tree.Home.Write($"{AwsTree.OktaFolder}/credentials", "this line is not ini\n");
        string[][] commands =
        [
            ["auth", "logout", "dev-admin"],
            ["auth", "logout", "--all", "--dry-run"],
            ["auth", "logout", "nobody"],
            ["auth", "logout", "okta-analyst"],
            ["auth", "logout", "--provider", "saml-okta"],
            ["auth", "logout", "--all", "--keychain", "--force"],
        ];
        var runs = new List<(string Id, CliResult Result)>();
        foreach (var command in commands)
        {
            var result = await _tree.Cli.RunAsync([.. command, "--output", "json", "--config", _tree.Config]);
            runs.Add((RunId(result), result));
        }

        Assert.Equal([0, 0, 2, 1, 0, 0], runs.Select(r => r.Result.ExitCode));
        foreach (var (id, result) in runs)
        {
            var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--run", id, "--output", "json");

            Assert.Equal(result.ExitCode, replay.ExitCode);
            Assert.Equal(result.Stderr, replay.Stderr);
            Assert.Equal(result.Stdout, replay.Stdout);
        }
    }

    [Fact]
    public async Task Without_a_file_and_a_run_it_replays_the_last_run_of_the_default_audit()
    {
        await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config);
        var last = await _tree.Cli.RunAsync("auth", "logout", "prod-admin", "--config", _tree.Config);

        var replay = await _tree.Cli.RunAsync("auth", "replay");

        Assert.Equal(last.Stderr, replay.Stderr);
        Assert.Equal(last.ExitCode, replay.ExitCode);
        Assert.Empty(replay.Stdout);
    }

    [Fact]
    public async Task A_json_output_document_replays_like_the_audit()
    {
        var run = await _tree.Cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--output", "json", "--config", _tree.Config);
        var document = _tree.Home.Write("run.json", run.Stdout);

        var replay = await _tree.Cli.RunAsync("auth", "replay", document, "--output", "json");

        Assert.Equal(run.Stderr, replay.Stderr);
        Assert.Equal(run.Stdout, replay.Stdout);
        Assert.Equal(run.ExitCode, replay.ExitCode);
    }

    [Fact]
    public async Task Debug_lines_are_replayed_with_the_recorded_timestamps()
    {
        _tree.Cli.Environment["ATMOS_LOGS_LEVEL"] = "Debug";
        var run = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", _tree.Config);

        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath);

        Assert.Contains(run.Lines, l => l.EndsWith("DEBUG Authentication chain built chain=[aws-sso dev-org-admin dev-admin]", StringComparison.Ordinal));
        Assert.Equal(run.Stderr, replay.Stderr);
    }

    [Fact]
    public async Task A_run_id_prefix_selects_a_run_and_an_unknown_or_ambiguous_one_is_an_error()
    {
        var first = RunId(await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--output", "json", "--config", _tree.Config));
        await _tree.Cli.RunAsync("auth", "logout", "prod-admin", "--dry-run", "--config", _tree.Config);

        var byPrefix = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--run", first[..20]);
        var unknown = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--run", "ffffffff");
        var ambiguous = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--run", string.Empty);

        Assert.Equal("Would remove from identity: dev-admin", byPrefix.Lines[1]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal($"Error: {_tree.Cli.AuditPath} has no run 'ffffffff'; list its runs with --list", unknown.Stderr.TrimEnd());
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("is ambiguous", ambiguous.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_shows_one_line_per_run_and_json_for_scripts()
    {
        await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config);
        await _tree.Cli.RunAsync("auth", "logout", "nobody", "--config", _tree.Config);

        var text = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--list");
        var json = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath, "--list", "--output", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.Equal(2, text.Lines.Count);
        Assert.Matches("^[0-9a-f]{32}  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  exit 0    atmos auth logout dev-admin --dry-run  3 identities would be logged out$", text.Lines[0]);
        Assert.EndsWith("exit 2    atmos auth logout nobody  Error: identity \"nobody\" not found in configuration", text.Lines[1], StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Stdout);
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["dry_run", "rejected"], runs.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal([0, 2], runs.Select(r => r.GetProperty("exit_code").GetInt32()));
        Assert.All(runs, r => Assert.True(r.GetProperty("complete").GetBoolean()));
    }

    [Fact]
    public async Task Events_of_a_newer_atmos_are_skipped_with_a_warning_and_the_rest_replays()
    {
        var run = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--output", "json", "--config", _tree.Config);
        var id = RunId(run);
        var lines = File.ReadAllLines(_tree.Cli.AuditPath).ToList();
        lines.Insert(3, "{\"type\":\"LogoutAudited\",\"v\":1,\"run\":\"" + id + "\",\"at\":\"2030-01-01T00:00:00+00:00\",\"by\":\"future\"}");
        lines.Insert(5, "{\"type\":\"StepPlanned\",\"v\":2,\"run\":\"" + id + "\",\"at\":\"2030-01-01T00:00:00+00:00\",\"step\":{\"shape\":\"new\"}}");
        File.WriteAllLines(_tree.Cli.AuditPath, lines);

        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath);

        Assert.Equal(run.ExitCode, replay.ExitCode);
        Assert.Equal($"⚠️ {_tree.Cli.AuditPath}:4: skipped unknown event type 'LogoutAudited' (written by a newer atmos?)", replay.Lines[0]);
        Assert.EndsWith("audit.jsonl:6: skipped StepPlanned has schema version 2; this atmos reads version 1 (written by a newer atmos?)", replay.Lines[1], StringComparison.Ordinal);
        Assert.Equal(run.Stderr, string.Join('\n', replay.Lines.Skip(2)) + "\n");
    }

    [Fact]
    public async Task A_damaged_line_is_an_error_naming_the_line()
    {
        await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config);
        var lines = File.ReadAllLines(_tree.Cli.AuditPath).ToList();
        lines[2] = lines[2][..(lines[2].Length / 2)];
        File.WriteAllLines(_tree.Cli.AuditPath, lines);

        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath);

        Assert.Equal(2, replay.ExitCode);
        var error = Assert.Single(replay.Lines);
        Assert.StartsWith($"Error: {_tree.Cli.AuditPath}:3: not an atmos event (", error, StringComparison.Ordinal);
        Assert.EndsWith("); the file is damaged there: repair or delete that line", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "holds no atmos runs")]
    [InlineData("{\"schema_version\":1,\"events\":[]}", "holds no atmos runs")]
    [InlineData("not json at all\n", ":1: not an atmos event")]
    [InlineData("{\"v\":1,\"run\":\"r\"}\n", ":1: not an atmos event (not an event: no \"type\")")]
    public async Task Files_that_hold_no_runs_or_no_events_are_errors(string content, string expected)
    {
        var file = _tree.Home.Write("odd.jsonl", content);

        var replay = await _tree.Cli.RunAsync("auth", "replay", file);

        Assert.Equal(2, replay.ExitCode);
        Assert.Contains(expected, replay.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("Error: ~/odd.jsonl", replay.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_is_an_error_saying_which_file_to_give()
    {
        Directory.CreateDirectory(_tree.Home.PathOf("state"));

        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Home.PathOf("state"));

        Assert.Equal(2, replay.ExitCode);
        Assert.Equal("Error: ~/state is a folder; give the audit file in it (audit.jsonl) or a saved --output json document", replay.Stderr.TrimEnd());
    }

    [Fact]
    public async Task A_missing_file_is_an_error_naming_it()
    {
        var replay = await _tree.Cli.RunAsync("auth", "replay", "nowhere.jsonl");

        Assert.Equal(2, replay.ExitCode);
        Assert.StartsWith($"Error: cannot read {_tree.Home.Root}/nowhere.jsonl: ", replay.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_cut_short_replays_what_it_recorded_and_says_it_is_incomplete()
    {
        await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", _tree.Config);
        var lines = File.ReadAllLines(_tree.Cli.AuditPath);
        var removalStarted = Array.FindIndex(lines, l => l.Contains("\"RemovalStarted\"", StringComparison.Ordinal));
        File.WriteAllLines(_tree.Cli.AuditPath, lines.Take(removalStarted + 2));

        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath);

        Assert.Equal(0, replay.ExitCode);
        Assert.Equal("✓ Keyring: aws-sso", replay.Lines[^2]);
        Assert.StartsWith("⚠️ Run ", replay.Lines[^1], StringComparison.Ordinal);
        Assert.EndsWith(" is incomplete: the process stopped before it finished (killed or crashed); shown is what it recorded", replay.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_needs_no_config_no_plugins_and_no_keyring_and_changes_nothing()
    {
        var run = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", _tree.Config);
        var copy = _tree.Home.Write("copy.jsonl", File.ReadAllText(_tree.Cli.AuditPath));
        File.Delete(_tree.Config);
        _tree.Cli.Environment["ATMOS_PLUGINS_MANIFEST"] = "/nonexistent/plugins.json";
        _tree.Cli.Environment["ATMOS_KEYRING_TYPE"] = "no-such-keyring";
        var before = TempHome.Fingerprint(_tree.Home.Root);

        var replay = await _tree.Cli.RunAsync("auth", "replay", copy);

        Assert.Equal(run.Stderr, replay.Stderr);
        Assert.Equal(before, TempHome.Fingerprint(_tree.Home.Root));
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_not_a_file_name()
    {
        var replay = await _tree.Cli.RunAsync("auth", "replay", "--bogus");

        Assert.Equal(2, replay.ExitCode);
        Assert.Equal("Error: unknown option '--bogus'; run 'atmos auth replay --help' for usage", replay.Stderr.TrimEnd());
    }

    [Fact]
    public async Task List_and_run_together_is_a_usage_error()
    {
        var replay = await _tree.Cli.RunAsync("auth", "replay", "--list", "--run", "abc");

        Assert.Equal(2, replay.ExitCode);
        Assert.Equal("Error: --list shows every run and --run replays one; give one of them", replay.Stderr.TrimEnd());
    }

    [Fact]
    public async Task List_without_an_audit_file_says_no_run_is_recorded_yet_and_exits_0()
    {
        var text = await _tree.Cli.RunAsync("auth", "replay", "--list");
        var json = await _tree.Cli.RunAsync("auth", "replay", "--list", "--output", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.Equal([$"No runs recorded yet: {_tree.Cli.AuditPath} does not exist (every logout, dry runs included, adds its run to it)."], text.Lines);
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(_tree.Cli.AuditPath, document.RootElement.GetProperty("source").GetString());
        Assert.Empty(document.RootElement.GetProperty("runs").EnumerateArray());
    }
}
