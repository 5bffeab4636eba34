using System.Diagnostics;
using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary>
/// Issue 20: a third-party plugin runs in a process of its own, so nothing it does can take the logout down with it.
/// A plugin that exits, overflows its stack, fails fast, loses a thread to an exception, returns lists that throw or
/// never end, returns nulls, writes to the console, leaves a foreground thread, hangs in several steps, plans 100,000
/// steps, reaches outside its folders or misses a dependency ends as failed steps naming it, while the AWS plugin's
/// steps still run. Real plugins, built outside the solution, run by the published atmos.
/// </summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class ProcessIsolationTests : PluginAuthoringTest
{
    private const string AwsRemoved = "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)";

    public ProcessIsolationTests(PluginWorkbench plugins, PublishedAtmos atmos)
        : base(plugins, atmos)
    {
        Home.Files.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n");
        Home.Environment["ATMOS_PLUGIN_TIMEOUT"] = "2s";
    }

    private string Config(string providers) => ConfigBesideAws(providers);

    private string Faulty(string behaviour) => Config($"    f: {{ kind: faulty/provider, behaviour: {behaviour} }}");

    private void UseFaulty(params (string Path, string Reason)[] grants) =>
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", Plugins.TestPlugin("Faulty"), Grants: grants.Length == 0 ? null : grants));

    [Theory]
    [InlineData("exit-in-plan", "• f: plugin 'faulty' crashed in Plan: its process exited (exit code 3)")]
    [InlineData("stack-overflow-in-plan", "• f: plugin 'faulty' crashed in Plan: its process ended with a stack overflow (exit code ")]
    [InlineData("fail-fast-in-plan", "• f: plugin 'faulty' crashed in Plan: it called Environment.FailFast: the faulty plugin failed fast (exit code ")]
    [InlineData("thread-crash-in-plan", "• f: plugin 'faulty' crashed in Plan: an exception on one of its threads ended its process: InvalidOperationException: the faulty plugin's worker thread broke (exit code ")]
    [InlineData("throwing-list", "• f: plugin 'faulty' failed in Plan: InvalidOperationException: the faulty plugin's list broke while it was read")]
    [InlineData("hanging-list", "• f: plugin 'faulty' did not finish Plan within 2 s")]
    public void A_plugin_that_ends_its_process_or_returns_a_list_that_breaks_when_read_fails_its_steps_and_the_aws_logout_runs(string behaviour, string detail)
    {
        UseFaulty();

        var result = Home.Atmos(TimeSpan.FromSeconds(30), "auth", "logout", "--all", "--config", Faulty(behaviour));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("✗ Plugin faulty: f (plugin unavailable)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith(detail, StringComparison.Ordinal));
        Assert.Contains("Logged out with warnings (1/2 successful)", result.Lines);
        Assert.False(Home.Files.Exists(".config/atmos/aws/aws-sso"));
        var audit = File.ReadAllLines(Path.Join(Home.Files.Root, "state", "atmos", "audit.jsonl"));
        Assert.Contains(audit, l => l.Contains("\"type\":\"LogoutCompleted\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plugin_that_exits_while_removing_fails_that_step_and_is_not_asked_again()
    {
        UseFaulty();

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("""
                f: { kind: faulty/provider, behaviour: exit-in-execute }
                g: { kind: faulty/provider, behaviour: exit-in-execute }
            """));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("✗ Files: ~/.config/atmos/faulty/f/session (plugin error)", result.Lines);
        Assert.Contains("✗ Files: ~/.config/atmos/faulty/g/session (plugin error)", result.Lines);
        Assert.Contains("• f: plugin 'faulty' crashed in Execute: its process exited (exit code 4)", result.Lines);
        Assert.Contains("• g: plugin 'faulty' was not asked: it crashed in Execute earlier in this run", result.Lines);
    }

    [Fact]
    public void Many_hung_steps_cost_one_time_limit_and_an_abandoned_call_is_never_joined_by_another()
    {
        UseFaulty();
        var calls = Home.Files.PathOf("execute-calls");
        Home.Environment["ATMOS_TEST_EXECUTE_LOG"] = calls;
        var clock = Stopwatch.StartNew();

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config(string.Concat(
            Enumerable.Range(1, 5).Select(i => $"    f{i}: {{ kind: faulty/provider, behaviour: hang-in-execute }}\n"))));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"five hung steps took {clock.Elapsed}, as if each had its own time limit");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("• f1: plugin 'faulty' did not finish Execute within 2 s", result.Lines);
        foreach (var i in Enumerable.Range(2, 4))
        {
            Assert.Contains($"• f{i}: plugin 'faulty' was not asked: it did not finish Execute within 2 s earlier in this run", result.Lines);
        }

        Assert.Equal(["Execute f1"], File.ReadAllLines(calls));
    }

    [Fact]
    public void A_null_from_inspect_is_a_problem_of_auth_status_naming_the_plugin_not_a_crash()
    {
        UseFaulty();

        var result = Home.Atmos("auth", "status", "--config", Faulty("null-inspect"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("files of f not inspected: plugin 'faulty' returned no list of files (null)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("dev-admin (identity via aws-sso", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void What_a_plugin_writes_to_its_console_never_reaches_standard_output_and_shows_only_as_debug_lines()
    {
        UseFaulty();
        var config = Faulty("console");

        var result = Home.Atmos("auth", "logout", "--all", "--output", "json", "--config", config);

        Assert.Equal(0, result.ExitCode);
        var document = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("success", document.GetProperty("outcome").GetString());
        Assert.DoesNotContain("the document atmos writes", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("raw bytes", result.Stdout + result.Stderr, StringComparison.Ordinal);

        Home.Files.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n");
        Home.Environment["ATMOS_LOGS_LEVEL"] = "Debug";
        var debug = Home.Atmos("auth", "logout", "--all", "--output", "json", "--config", config);

        Assert.Equal(0, debug.ExitCode);
        _ = JsonDocument.Parse(debug.Stdout);
        Assert.Contains(debug.Lines, l => l.EndsWith("DEBUG Plugin console output plugin=faulty line=\"raw bytes on file descriptor 1\"", StringComparison.Ordinal));
        Assert.Contains(debug.Lines, l => l.EndsWith("DEBUG Plugin console output plugin=faulty line=\"the faulty plugin on standard error\"", StringComparison.Ordinal));
        Assert.Contains(debug.Lines, l => l.Contains("Plugin console output plugin=faulty line=\"{ \\\"not\\\": \\\"the document atmos writes\\\" }\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_log_channel_prints_at_the_level_asked_for_on_standard_error()
    {
        UseFaulty();
        Home.Environment["ATMOS_LOGS_LEVEL"] = "Info";

        var result = Home.Atmos("auth", "logout", "--all", "--output", "json", "--config", Faulty("log"));

        Assert.Equal(0, result.ExitCode);
        _ = JsonDocument.Parse(result.Stdout);
        Assert.Contains(result.Lines, l => l.EndsWith("INFO Plugin log plugin=faulty message=\"faulty info line\"", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.EndsWith("WARN Plugin log plugin=faulty message=\"faulty warning line\"", StringComparison.Ordinal));
        Assert.DoesNotContain("faulty debug line", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_foreground_thread_left_by_a_plugin_neither_keeps_atmos_running_nor_leaves_its_process_behind()
    {
        var plugin = Home.Install(Plugins.TestPlugin("Faulty"), "own-copy");
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", plugin));

        var result = Home.Atmos(TimeSpan.FromSeconds(20), "auth", "logout", "--all", "--config", Faulty("foreground-thread"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/faulty/f/session", result.Lines);
        Assert.True(SpinWait.SpinUntil(() => !ProcessesMentioning(plugin).Any(), TimeSpan.FromSeconds(5)), $"a plugin process is still running: {string.Join(", ", ProcessesMentioning(plugin))}");
    }

    [Fact]
    public void A_plan_of_100000_steps_is_refused_with_a_clear_message_and_bounds_the_json_and_the_audit_trail()
    {
        UseFaulty();

        var result = Home.Atmos("auth", "logout", "--all", "--output", "json", "--config", Faulty("many-steps"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("• f: plugin 'faulty' returned more than 10,000 steps; atmos takes at most 10,000 from one plugin in one call", result.Lines);
        Assert.True(result.Stdout.Length < 64 * 1024, $"--output json wrote {result.Stdout.Length:N0} characters");
        Assert.True(new FileInfo(Path.Join(Home.Files.Root, "state", "atmos", "audit.jsonl")).Length < 64 * 1024);
        Assert.False(File.Exists(Path.Join(Home.Files.Root, "state", "atmos", "audit.jsonl.1")));
    }

    [Theory]
    [InlineData("other-plugins-folder", "step 'other-plugins-folder' would touch {home}/.config/atmos/aws/aws-sso, outside the plugin's folders")]
    [InlineData("argument-outside", "step 'argument-outside' would touch {home}/Documents/thesis.odt, outside the plugin's folders")]
    [InlineData("outside-base", "step 'outside-base' would touch /etc/atmos-faulty-target, outside the plugin's folders")]
    public void A_step_reaching_outside_the_plugins_folders_in_its_paths_or_its_arguments_is_refused_naming_the_plugin(string behaviour, string problem)
    {
        UseFaulty();
        Home.Files.Write("Documents/thesis.odt", "years of work");

        var result = Home.Atmos("auth", "logout", "--all", "--config", Faulty(behaviour));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(AwsRemoved, result.Lines);
        Assert.Contains("✗ Plugin faulty: f (plugin unavailable)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("• f: plugin 'faulty' returned an invalid step: " + problem.Replace("{home}", Home.Files.Home, StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.Equal("years of work", Home.Files.Read("Documents/thesis.odt"));
    }

    [Fact]
    public void A_folder_outside_its_roots_is_the_plugins_only_with_a_grant_which_plugins_list_shows()
    {
        var config = Faulty("documents");
        UseFaulty();

        var refused = Home.Atmos("auth", "logout", "--all", "--config", config);

        Assert.Contains(refused.Lines, l => l.StartsWith($"• f: plugin 'faulty' returned an invalid step: step 'documents' would touch {Home.Files.PathOf("Documents/faulty-session")}, outside the plugin's folders", StringComparison.Ordinal));

        UseFaulty(("~/Documents", "the faulty plugin keeps its sessions beside your thesis"));
        var result = Home.Atmos("auth", "logout", "--all", "--config", config);
        var list = Home.Atmos("plugins", "list");
        var json = JsonDocument.Parse(Home.Atmos("plugins", "list", "--output", "json").Stdout).RootElement;

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/Documents/faulty-session", result.Lines);
        Assert.Contains("  grants:     ~/Documents (the faulty plugin keeps its sessions beside your thesis)", list.Lines);
        var grant = json.GetProperty("plugins")[1].GetProperty("grants")[0];
        Assert.Equal("~/Documents", grant.GetProperty("path").GetString());
        Assert.Equal(Home.Files.PathOf("Documents"), grant.GetProperty("resolved").GetString());
    }

    [Fact]
    public void A_plugin_missing_a_dependency_fails_to_load_naming_it_instead_of_binding_to_another_copy()
    {
        var plugin = Home.Install(Plugins.TestPlugin("Json13"), "json13-without-newtonsoft");
        File.Delete(Path.Join(Path.GetDirectoryName(plugin)!, "Newtonsoft.Json.dll"));
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("json13", plugin));
        Home.Files.Write(".config/atmos/json13/j13/token.json", """{ "account": "c-3" }""");

        var logout = Home.Atmos("auth", "logout", "--all", "--config", Config("    j13: { kind: json13/token }"));
        var list = Home.Atmos("plugins", "list", "--load");

        Assert.Equal(0, logout.ExitCode);
        Assert.Contains(AwsRemoved, logout.Lines);
        Assert.Contains("✗ Plugin json13: j13 (plugin unavailable)", logout.Lines);
        Assert.Contains(logout.Lines, l => l.StartsWith("• j13: plugin 'json13' failed to load: InvalidOperationException: its dependency Newtonsoft.Json 13.0.0.0 (needed by TestPlugin.Json13) cannot be loaded from ", StringComparison.Ordinal));
        Assert.True(Home.Files.Exists(".config/atmos/json13/j13/token.json"));
        Assert.Equal(1, list.ExitCode);
        Assert.Contains(list.Lines, l => l.StartsWith("  error:      failed to load: InvalidOperationException: its dependency Newtonsoft.Json 13.0.0.0", StringComparison.Ordinal));
    }

    // Processes whose command line names the file (the plugin host names its plugin's assembly).
    private static IEnumerable<int> ProcessesMentioning(string file)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Join(folder, "cmdline"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(file, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }
}
