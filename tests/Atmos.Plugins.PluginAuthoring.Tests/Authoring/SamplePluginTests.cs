using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary>
/// The check of issue 7: a plugin written outside this repository against the packed contract, for a new provider
/// kind, listed in a temporary plugins.json, is loaded by the published atmos and its removal steps run and are
/// summarised; a broken plugin listed beside it does not stop the AWS logout.
/// </summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class SamplePluginTests : PluginAuthoringTest
{
    private const string RolesFile = ".config/atmos/acme/acme-sso/roles.json";

    public SamplePluginTests(PluginWorkbench plugins, PublishedAtmos atmos)
        : base(plugins, atmos)
    {
        Home.Files.Write(RolesFile, """{ "roles": { "acme-dev": { "key": "k1" }, "acme-ops": { "key": "k2" } }, "format": 2 }""" + "\n");
        Home.Files.Write(".config/atmos/acme/acme-sso/session.json", """{ "access_token": "t" }""");
        Home.Files.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n");
    }

    private string Config(string extraProviders = "") => Home.Config($$"""
        auth:
          providers:
            acme-sso: { kind: acme/sso, tenant: example }
            aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start" }
        {{extraProviders}}
          identities:
            acme-dev: { kind: acme/role, via: { provider: acme-sso }, principal: { role: developer } }
            acme-ops: { kind: acme/role, via: { provider: acme-sso }, principal: { role: operator } }
            dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
        """);

    [Fact]
    public void An_identity_logout_runs_the_sample_plugins_step_and_keeps_everything_else_in_its_file()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme));

        var result = Home.Atmos("auth", "logout", "acme-dev", "--config", Config());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Chain: acme-sso → acme-dev", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/acme/acme-sso/roles.json (role sessions)", result.Lines);
        Assert.Equal("""{"roles":{"acme-ops":{"key":"k2"}},"format":2}""" + "\n", Home.Files.Read(RolesFile));
        Assert.True(Home.Files.Exists(".config/atmos/acme/acme-sso/session.json"));
        Assert.True(Home.Files.Exists(".config/atmos/aws/aws-sso/credentials"));
    }

    [Fact]
    public void A_dry_run_prints_the_sample_plugins_step_and_changes_nothing()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme));
        var config = Config();
        var before = TempHome.Fingerprint(Home.Files.Home);

        var result = Home.Atmos("auth", "logout", "--provider", "acme-sso", "--dry-run", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("~/.config/atmos/acme/acme-sso/", StringComparison.Ordinal));
        Assert.Equal(before, TempHome.Fingerprint(Home.Files.Home));
    }

    [Fact]
    public void A_broken_plugin_listed_beside_the_sample_fails_its_own_steps_while_the_acme_and_aws_logouts_run()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme), new PluginEntry("faulty", Plugins.TestPlugin("Faulty")));
        Home.Environment["ATMOS_TEST_CONSTRUCTOR"] = "throw";

        var result = Home.Atmos("auth", "logout", "--all", "--config", Config("    broken: { kind: faulty/provider }"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/acme/acme-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✗ Plugin faulty: broken (plugin unavailable)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("• broken: plugin 'faulty' failed to load: InvalidOperationException: the faulty plugin cannot start: its settings service is missing (loading ", StringComparison.Ordinal));
        Assert.Contains("Logged out with warnings (2/3 successful)", result.Lines);
        Assert.False(Home.Files.Exists(".config/atmos/acme/acme-sso"));
        Assert.False(Home.Files.Exists(".config/atmos/aws/aws-sso"));
    }

    [Fact]
    public void The_sample_is_published_without_a_copy_of_the_contract()
    {
        var folder = Path.GetDirectoryName(Plugins.Acme)!;

        Assert.True(File.Exists(Path.Join(folder, "Acme.AtmosPlugin.deps.json")));
        Assert.False(File.Exists(Path.Join(folder, "Atmos.Plugins.Contracts.dll")));
    }

    [Fact]
    public void The_template_makes_a_test_project_that_builds_against_the_packed_contract_and_passes()
    {
        Assert.True(File.Exists(Plugins.ContosoTests), $"dotnet new atmos-plugin made no {Plugins.ContosoTests}");
        Assert.Contains("namespace Contoso.AtmosPlugin.Tests;", File.ReadAllText(Path.Join(Path.GetDirectoryName(Plugins.ContosoTests)!, "ContosoPluginTests.cs")), StringComparison.Ordinal);

        Plugins.Test(Plugins.ContosoTests); // throws with dotnet's output when a test fails
    }

    [Fact]
    public void A_plugin_made_with_the_dotnet_new_template_takes_its_name_and_loads()
    {
        Home.UseManifest(new PluginEntry("contoso", Plugins.Contoso));

        var result = Home.Atmos("plugins", "list", "--load", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var plugin = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("plugins")[0];
        Assert.Equal("loaded", plugin.GetProperty("status").GetString());
        Assert.Equal("contoso", plugin.GetProperty("cloud").GetString());
        Assert.Equal("0.1.0", plugin.GetProperty("version").GetString());
        Assert.Equal(["contoso/sso"], plugin.GetProperty("provider_kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(["contoso/role"], plugin.GetProperty("identity_kinds").EnumerateArray().Select(k => k.GetString()));
    }
}
