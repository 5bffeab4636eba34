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
public sealed class SamplePluginTests : IDisposable
{
    private const string RolesFile = ".config/atmos/acme/acme-sso/roles.json";
    private readonly PluginWorkbench _plugins;
    private readonly PluginHome _home;

    public SamplePluginTests(PluginWorkbench plugins, PublishedAtmos atmos)
    {
        _plugins = plugins;
        _home = new PluginHome(atmos);
        _home.Home.Write(RolesFile, """{ "roles": { "acme-dev": { "key": "k1" }, "acme-ops": { "key": "k2" } }, "format": 2 }""" + "\n");
        _home.Home.Write(".config/atmos/acme/acme-sso/session.json", """{ "access_token": "t" }""");
        _home.Home.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n");
    }

    public void Dispose() => _home.Dispose();

    private string Config(string extraProviders = "") => _home.Config($$"""
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
        _home.UseManifest(new PluginEntry("aws", _home.AwsPlugin), new PluginEntry("acme", _plugins.Acme));

        var result = _home.Atmos("auth", "logout", "acme-dev", "--config", Config());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Chain: acme-sso → acme-dev", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/acme/acme-sso/roles.json (role sessions)", result.Lines);
        Assert.Equal("""{"roles":{"acme-ops":{"key":"k2"}},"format":2}""" + "\n", _home.Home.Read(RolesFile));
        Assert.True(_home.Home.Exists(".config/atmos/acme/acme-sso/session.json"));
        Assert.True(_home.Home.Exists(".config/atmos/aws/aws-sso/credentials"));
    }

    [Fact]
    public void A_dry_run_prints_the_sample_plugins_step_and_changes_nothing()
    {
        _home.UseManifest(new PluginEntry("aws", _home.AwsPlugin), new PluginEntry("acme", _plugins.Acme));
        var config = Config();
        var before = TempHome.Fingerprint(_home.Home.Home);

        var result = _home.Atmos("auth", "logout", "--provider", "acme-sso", "--dry-run", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("~/.config/atmos/acme/acme-sso/", StringComparison.Ordinal));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home.Home));
    }

    [Fact]
    public void A_broken_plugin_listed_beside_the_sample_fails_its_own_steps_while_the_acme_and_aws_logouts_run()
    {
        _home.UseManifest(new PluginEntry("aws", _home.AwsPlugin), new PluginEntry("acme", _plugins.Acme), new PluginEntry("faulty", _plugins.TestPlugin("Faulty")));
        _home.Environment["ATMOS_TEST_CONSTRUCTOR"] = "throw";

        var result = _home.Atmos("auth", "logout", "--all", "--config", Config("    broken: { kind: faulty/provider }"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/acme/acme-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✗ Plugin faulty: broken (plugin unavailable)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("• broken: plugin 'faulty' failed to load: InvalidOperationException: the faulty plugin cannot start: its settings service is missing (loading ", StringComparison.Ordinal));
        Assert.Contains("Logged out with warnings (2/3 successful)", result.Lines);
        Assert.False(_home.Home.Exists(".config/atmos/acme/acme-sso"));
        Assert.False(_home.Home.Exists(".config/atmos/aws/aws-sso"));
    }

    [Fact]
    public void The_sample_is_published_without_a_copy_of_the_contract()
    {
        var folder = Path.GetDirectoryName(_plugins.Acme)!;

        Assert.True(File.Exists(Path.Join(folder, "Acme.AtmosPlugin.deps.json")));
        Assert.False(File.Exists(Path.Join(folder, "Atmos.Plugins.Contracts.dll")));
    }

    [Fact]
    public void A_plugin_made_with_the_dotnet_new_template_takes_its_name_and_loads()
    {
        _home.UseManifest(new PluginEntry("contoso", _plugins.Contoso));

        var result = _home.Atmos("plugins", "list", "--load", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var plugin = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("plugins")[0];
        Assert.Equal("loaded", plugin.GetProperty("status").GetString());
        Assert.Equal("contoso", plugin.GetProperty("cloud").GetString());
        Assert.Equal("0.1.0", plugin.GetProperty("version").GetString());
        Assert.Equal(["contoso/sso"], plugin.GetProperty("provider_kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(["contoso/role"], plugin.GetProperty("identity_kinds").EnumerateArray().Select(k => k.GetString()));
    }
}
