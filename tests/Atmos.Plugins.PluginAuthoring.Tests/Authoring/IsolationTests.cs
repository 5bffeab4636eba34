using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary>
/// Each plugin in its own load context with its own dependencies; only plugins a command needs are loaded; a plugin
/// that throws, hangs, returns garbage or was built for another contract becomes a failed step naming it while the
/// other plugins' steps still run (SPEC §7).
/// </summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class IsolationTests : PluginAuthoringTest
{

    public IsolationTests(PluginWorkbench plugins, PublishedAtmos atmos)
        : base(plugins, atmos)
    {
        Home.Files.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n");
    }

    private string Config(string providers) => Home.Config($$"""
        auth:
          providers:
            aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start" }
        {{providers}}
          identities:
            dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
        """);

    [Fact]
    public void Plugins_carrying_their_own_YamlDotNet_and_Newtonsoft_Json_load_and_work_beside_the_hosts_and_each_other()
    {
        Assert.Equal(18, AssemblyName.GetAssemblyName(Path.Join(Published.Folder, "YamlDotNet.dll")).Version!.Major);
        Home.UseManifest(
            new PluginEntry("aws", Home.AwsPlugin),
            new PluginEntry("yaml16", Plugins.TestPlugin("Yaml16")),
            new PluginEntry("json12", Plugins.TestPlugin("Json12")),
            new PluginEntry("json13", Plugins.TestPlugin("Json13")));
        Home.Files.Write(".config/atmos/yaml16/y/token.yaml", "account: a-1\n");
        Home.Files.Write(".config/atmos/json12/j12/token.json", """{ "account": "b-2" }""");
        Home.Files.Write(".config/atmos/json13/j13/token.json", """{ "account": "c-3" }""");

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("""
                y: { kind: yaml16/token }
                j12: { kind: json12/token }
                j13: { kind: json13/token }
            """));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/yaml16/y/token.yaml (YamlDotNet 16.0.0.0, account a-1)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/json12/j12/token.json (Newtonsoft.Json 12.0.0.0, account b-2)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/json13/j13/token.json (Newtonsoft.Json 13.0.0.0, account c-3)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("Successfully logged out from 5 identities", result.Lines);
    }

    [Fact]
    public void A_plugin_whose_kinds_a_command_does_not_use_is_never_loaded_and_costs_nothing()
    {
        var marker = Home.Files.PathOf("faulty-constructed");
        Home.Environment["ATMOS_TEST_MARKER"] = marker;
        Home.Environment["ATMOS_TEST_CONSTRUCTOR"] = "throw";
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", Plugins.TestPlugin("Faulty")), new PluginEntry("acme", Plugins.Acme));

        var logout = Home.Atmos("auth", "logout", "dev-admin", "--config", Config(string.Empty));
        var list = Home.Atmos("plugins", "list");

        Assert.Equal(0, logout.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", logout.Lines);
        Assert.DoesNotContain(logout.Lines, l => l.Contains("faulty", StringComparison.Ordinal) || l.Contains("acme", StringComparison.Ordinal));
        Assert.Equal(0, list.ExitCode);
        Assert.False(File.Exists(marker), "the faulty plugin was constructed although nothing needed it");

        var loaded = Home.Atmos("plugins", "list", "--load");

        Assert.Equal(1, loaded.ExitCode);
        Assert.True(File.Exists(marker));
        Assert.Contains(loaded.Lines, l => l.StartsWith("  error:      failed to load: InvalidOperationException: the faulty plugin cannot start", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plugin_the_plan_needs_is_constructed_once_although_its_loading_starts_while_the_keyring_is_read()
    {
        var marker = Home.Files.PathOf("faulty-constructed");
        Home.Environment["ATMOS_TEST_MARKER"] = marker;
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", Plugins.TestPlugin("Faulty")));

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("    f: { kind: faulty/provider }"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Equal(["faulty plugin constructed"], File.ReadAllLines(marker));
    }

    [Theory]
    [InlineData("throw-in-plan", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' failed in Plan: InvalidOperationException: the faulty plugin was told to throw in Plan")]
    [InlineData("hang-in-plan", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' did not finish Plan within 2 s")]
    [InlineData("null-plan", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' returned no plan (null instead of a list of steps)")]
    [InlineData("null-step", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' returned an invalid step: a null step")]
    [InlineData("outside-base", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' returned an invalid step: step 'outside-base' would touch /etc/atmos-faulty-target, outside the home folder and the provider's base folder")]
    [InlineData("protected-path", "✗ Plugin faulty: f (plugin unavailable)", "/.aws/credentials, which logout never changes")]
    [InlineData("relative-path", "✗ Plugin faulty: f (plugin unavailable)", "• f: plugin 'faulty' returned an invalid step: step 'relative-path' has a path that is not absolute: 'faulty/relative'")]
    [InlineData("throw-in-execute", "✗ Files: ~/.config/atmos/faulty/f/session (plugin error)", "• f: plugin 'faulty' failed in Execute: IOException: the faulty plugin was told to throw in Execute")]
    [InlineData("hang-in-execute", "✗ Files: ~/.config/atmos/faulty/f/session (plugin error)", "• f: plugin 'faulty' did not finish Execute within 2 s")]
    [InlineData("null-result", "✗ Files: ~/.config/atmos/faulty/f/session (plugin error)", "• f: plugin 'faulty' returned no result for null-result")]
    [InlineData("bad-status", "✗ Files: ~/.config/atmos/faulty/f/session (plugin error)", "• f: plugin 'faulty' returned an unknown status 42 for bad-status")]
    public void A_plugin_that_throws_hangs_or_returns_garbage_becomes_a_failed_step_naming_it_and_the_aws_logout_still_runs(string behaviour, string stepLine, string detail)
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", Plugins.TestPlugin("Faulty")));
        Home.Environment["ATMOS_PLUGIN_TIMEOUT"] = "2s";

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config($"    f: {{ kind: faulty/provider, behaviour: {behaviour} }}"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains(stepLine, result.Lines);
        Assert.Contains(result.Lines, l => l.Contains(detail, StringComparison.Ordinal));
        Assert.Contains("Logged out with warnings (1/2 successful)", result.Lines);
        Assert.False(Home.Files.Exists(".config/atmos/aws/aws-sso"));
    }

    [Fact]
    public void A_plugin_whose_constructor_hangs_is_abandoned_at_the_time_limit()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("faulty", Plugins.TestPlugin("Faulty")));
        Home.Environment["ATMOS_PLUGIN_TIMEOUT"] = "2s";
        Home.Environment["ATMOS_TEST_CONSTRUCTOR"] = "hang";
        var clock = Stopwatch.StartNew();

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("    f: { kind: faulty/provider }"));

        Assert.Equal(0, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("• f: plugin 'faulty' failed to load: loading ", StringComparison.Ordinal) && l.EndsWith("TestPlugin.Faulty.dll did not finish within 2 s", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Future", "future", "3.1.0", "2.0", "version 3.1.0 of plugin 'future' was built for contract 2.0, which is newer than this atmos's contract 1.2; upgrade atmos or use a build of the plugin for contract 1.x with x ≤ 2")]
    [InlineData("Newer", "newer", "1.2.0", "1.5", "version 1.2.0 of plugin 'newer' was built for contract 1.5, which is newer than this atmos's contract 1.2; upgrade atmos or use a build of the plugin for contract 1.x with x ≤ 2")]
    public void A_plugin_built_for_another_major_or_a_newer_minor_contract_is_refused_naming_its_version_and_ours(string project, string name, string version, string contract, string message)
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry(name, Plugins.TestPlugin(project)));

        var list = Home.Atmos("plugins", "list", "--output", "json");
        var logout = Home.Atmos("auth", "logout", "--all", "--config", Config($"    p: {{ kind: {name}/provider }}"));

        Assert.Equal(1, list.ExitCode);
        var plugin = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("plugins")[1];
        Assert.Equal(version, plugin.GetProperty("version").GetString());
        Assert.Equal(contract, plugin.GetProperty("contract").GetString());
        Assert.Equal("error", plugin.GetProperty("status").GetString());
        Assert.Equal([message], plugin.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, logout.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", logout.Lines);
        Assert.Contains($"✗ Plugin {name}: p (plugin unavailable)", logout.Lines);
        Assert.Contains($"• p: plugin '{name}' is unavailable: {message}", logout.Lines);
    }

    [Fact]
    public void Two_plugins_claiming_one_kind_fail_that_kind_naming_both_while_other_kinds_log_out()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme), new PluginEntry("acme-copy", Plugins.Acme));
        Home.Files.Write(".config/atmos/acme/acme-sso/session.json", "{}");

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("    acme-sso: { kind: acme/sso, tenant: example }"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("warning: kind 'acme/sso' is claimed by more than one plugin: 'acme' (", StringComparison.Ordinal) && l.Contains(" and 'acme-copy' (", StringComparison.Ordinal));
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("• acme-sso: kind 'acme/sso' is claimed by 'acme' and 'acme-copy'; disable one of them in plugins.json", result.Lines);
        Assert.True(Home.Files.Exists(".config/atmos/acme/acme-sso/session.json"));
    }
}
