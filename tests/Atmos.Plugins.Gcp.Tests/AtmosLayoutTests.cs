using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;
using static Atmos.Plugins.Tests.Support.GcloudFixture;

namespace Atmos.Plugins.Gcp.Tests;

/// <summary>
/// GCP as real atmos writes it (REAL-ATMOS §5, <c>pkg/auth/cloud/gcp/files.go</c>):
/// <c>CONFIG/[&lt;realm&gt;/]gcp/&lt;provider&gt;/adc/&lt;identity&gt;/</c> (credentials and <c>access_token</c>),
/// <c>config/&lt;identity&gt;/properties</c>, and <c>&lt;identity&gt;.identity.lock</c>, which atmos takes for every write
/// and cleanup and never deletes. The gcloud model of the other tests stays for what it covers; real gcloud reads it.
/// </summary>
public sealed class AtmosLayoutTests : IDisposable
{
    private readonly PluginTestHome _home = new("gcp");
    private readonly GcpPlugin _plugin = new();

    public void Dispose() => _home.Dispose();

    private string Config(string relative) => Path.Join(_home.Home, ".config", "atmos", relative);

    private PluginEnvironment RealmEnvironment() => _home.Environment with
    {
        Realm = "acme",
        DefaultBaseFolders = [Config("acme/gcp"), Config("gcp")],
    };

    private ProviderTarget RealmProvider(string name) => new(name, GcpKinds.Adc, Config("acme/gcp"), Config("acme/gcp/" + name), true, Settings.Empty)
    {
        Folders =
        [
            new ProviderFolder(Config("acme/gcp"), Config("acme/gcp/" + name), FolderLayout.Current),
            new ProviderFolder(Config("gcp"), Config("gcp/" + name), FolderLayout.NoRealm),
        ],
    };

    // What atmos writes for one identity (WriteADCFile, WriteAccessTokenFile, WritePropertiesFile) and its lock.
    private void Seed(string providerFolder, string identity, string email)
    {
        PluginTestHome.Write(Path.Join(providerFolder, "adc", identity, "application_default_credentials.json"), $"{{\n  \"type\": \"authorized_user\",\n  \"access_token\": \"fake-adc-{identity}\",\n  \"client_id\": \"c\",\n  \"token_expiry\": \"2030-01-01T00:00:00Z\"\n}}");
        PluginTestHome.Write(Path.Join(providerFolder, "adc", identity, "access_token"), $"fake-token-{identity}\n2030-01-01T00:00:00Z\n");
        PluginTestHome.Write(Path.Join(providerFolder, "config", identity, "properties"), "[core]\nproject = proj-dev\n\n[compute]\nregion = europe-west1\n\n");
        PluginTestHome.Write(Path.Join(providerFolder, identity + ".identity.lock"), string.Empty);
        _ = email;
    }

    private IdentityTarget ServiceAccount(string name, string email, ProviderTarget provider) =>
        new(name, GcpKinds.ServiceAccount, [provider.Name, name], provider, PluginTestHome.Settings(("via.provider", provider.Name), ("principal.service_account_email", email)));

    [Fact]
    public void An_identity_logout_removes_its_adc_and_config_folders_in_every_realm_layout_and_keeps_its_lock_file()
    {
        var provider = RealmProvider("gcp-adc");
        Seed(Config("acme/gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        Seed(Config("acme/gcp/gcp-adc"), "prod-sa", ProdServiceAccount);
        Seed(Config("gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        var environment = RealmEnvironment();

        var steps = _plugin.Plan(new PlanRequest(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount, provider)], environment));
        var results = steps.Select(s => _plugin.Execute(s, environment, CancellationToken.None)).ToList();

        Assert.Equal(
            [
                ("remove-adc", Config("acme/gcp/gcp-adc/adc/dev-sa/")),
                ("remove-identity-config", Config("acme/gcp/gcp-adc/config/dev-sa/")),
                ("remove-adc", Config("gcp/gcp-adc/adc/dev-sa/")),
                ("remove-identity-config", Config("gcp/gcp-adc/config/dev-sa/")),
            ],
            steps.Select(s => (s.Action, s.Target)));
        Assert.All(results, r => Assert.Equal(StepStatus.Removed, r.Status));
        Assert.False(Directory.Exists(Config("acme/gcp/gcp-adc/adc/dev-sa")));
        Assert.False(Directory.Exists(Config("acme/gcp/gcp-adc/config/dev-sa")));
        Assert.True(File.Exists(Config("acme/gcp/gcp-adc/dev-sa.identity.lock"))); // atmos's stable lock path
        Assert.True(File.Exists(Config("acme/gcp/gcp-adc/adc/prod-sa/access_token")));
        Assert.True(File.Exists(Config("acme/gcp/gcp-adc/config/prod-sa/properties")));
        Assert.False(Directory.Exists(Config("gcp/gcp-adc/adc")));
        Assert.False(Directory.Exists(Config("gcp/gcp-adc/config")));
    }

    [Fact]
    public void An_identity_lock_held_by_atmos_makes_the_step_wait_and_then_fail_leaving_everything()
    {
        var provider = RealmProvider("gcp-adc");
        Seed(Config("acme/gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        var environment = RealmEnvironment() with { LockTimeout = TimeSpan.FromMilliseconds(300) };
        var steps = _plugin.Plan(new PlanRequest(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount, provider)], environment));
        var before = _home.TreeHash();

        using (FileLock.AcquireAt(Config("acme/gcp/gcp-adc/dev-sa.identity.lock"), TimeSpan.FromSeconds(5)))
        {
            var result = _plugin.Execute(steps[0], environment, CancellationToken.None);

            Assert.Equal(StepStatus.Failed, result.Status);
            Assert.Equal("locked by another process", result.Reason);
        }

        Assert.Equal(before, _home.TreeHash());
    }

    [Fact]
    public void A_provider_logout_removes_the_provider_folder_of_every_layout()
    {
        var provider = RealmProvider("gcp-adc");
        Seed(Config("acme/gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        Seed(Config("gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        var environment = RealmEnvironment();

        var steps = _plugin.Plan(new PlanRequest(LogoutScope.Provider, [provider], [ServiceAccount("dev-sa", DevServiceAccount, provider)], environment));

        Assert.Equal([Config("acme/gcp/gcp-adc/"), Config("gcp/gcp-adc/")], steps.Select(s => s.Target));
        Assert.All(steps, s => Assert.Equal(StepStatus.Removed, _plugin.Execute(s, environment, CancellationToken.None).Status));
        Assert.False(Directory.Exists(Config("acme/gcp/gcp-adc")));
        Assert.False(Directory.Exists(Config("gcp/gcp-adc")));
    }

    [Fact]
    public void Status_lists_the_adc_file_the_access_token_and_the_properties()
    {
        var provider = RealmProvider("gcp-adc");
        Seed(Config("acme/gcp/gcp-adc"), "dev-sa", DevServiceAccount);
        var request = new PlanRequest(LogoutScope.All, [provider], [ServiceAccount("dev-sa", DevServiceAccount, provider)], RealmEnvironment());

        var artifacts = _plugin.Inspect(request);

        Assert.Equal(
            [
                ("dev-sa", "application default credentials (authorized_user)", (DateTimeOffset?)null),
                ("dev-sa", "access token", DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
                ("dev-sa", "gcloud properties (project, region)", null),
            ],
            artifacts.Select(a => (a.Principal, a.Description, a.Expires)));
        PluginTestHome.AssertNoSecret(artifacts, []);
    }
}
