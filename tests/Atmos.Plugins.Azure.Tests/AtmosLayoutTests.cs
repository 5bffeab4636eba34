using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Azure.Tests;

/// <summary>
/// Azure as real atmos writes it (REAL-ATMOS §5): <c>~/.azure/atmos/[&lt;realm&gt;/]&lt;provider&gt;/credentials.json</c>,
/// atmos's realm MSAL cache, the Azure CLI's own <c>azureProfile.json</c> and <c>msal_token_cache.json</c>,
/// <c>service_principal_entries.json</c> of <c>azure/oidc</c>, the device-code cache. Each logout removes exactly what
/// belongs to what is logged out; the user's other <c>az</c> logins stay, and <c>az account list</c> still reads the files.
/// </summary>
public sealed class AtmosLayoutTests : IDisposable
{
    private const string Tenant = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
    private const string OtherTenant = "cccccccc-cccc-cccc-cccc-cccccccccccc";
    private const string Dev = "11111111-1111-1111-1111-111111111111"; // alice@contoso.com
    private const string Prod = "22222222-2222-2222-2222-222222222222"; // Alice@Contoso.com
    private const string Ops = "44444444-4444-4444-4444-444444444444"; // bob@contoso.com: the user's own az login
    private const string Ci = "55555555-5555-5555-5555-555555555555"; // a service principal
    private const string ServicePrincipal = "33333333-0000-0000-0000-0000000005e1";
    private const string AliceHome = "11111111-0000-0000-0000-00000000a11c." + Tenant;

    private readonly PluginTestHome _home = new("azure");
    private readonly AzurePlugin _plugin = new();
    private readonly byte[] _profileFixture = File.ReadAllBytes(Path.Join(AppContext.BaseDirectory, "Fixtures", "azureProfile.json"));
    private readonly byte[] _cacheFixture = File.ReadAllBytes(Path.Join(AppContext.BaseDirectory, "Fixtures", "msal_token_cache.json"));

    public AtmosLayoutTests()
    {
        PluginTestHome.Write(AzurePath("azureProfile.json"), _profileFixture);
        PluginTestHome.Write(AzurePath("msal_token_cache.json"), _cacheFixture);
    }

    public void Dispose() => _home.Dispose();

    private string AzurePath(string relative) => Path.Join(_home.Home, ".azure", relative);

    private PluginEnvironment Environment(string? realm = null) => _home.Environment with { Realm = realm };

    private ProviderTarget Provider(string name, string kind, params (string Path, string Value)[] settings) =>
        _home.Provider(name, kind, [("spec.tenant_id", Tenant), .. settings]);

    private static IdentityTarget Subscription(string name, string id, ProviderTarget provider) =>
        PluginTestHome.Identity(name, AzureKinds.Subscription, provider, ("principal.subscription_id", id));

    private string Credentials(string folder, string subscription) =>
        PluginTestHome.Write(AzurePath($"atmos/{folder}/credentials.json"), $"{{\n  \"access_token\": \"fake-atmos-access\",\n  \"token_type\": \"Bearer\",\n  \"expiration\": \"2030-01-01T00:00:00Z\",\n  \"tenant_id\": \"{Tenant}\",\n  \"subscription_id\": \"{subscription}\",\n  \"graph_api_token\": \"fake-graph\"\n}}");

    private List<(FileStep Step, StepResult Result)> LogOut(LogoutScope scope, IReadOnlyList<ProviderTarget> providers, IReadOnlyList<IdentityTarget> identities, PluginEnvironment environment) =>
        _plugin.Plan(new PlanRequest(scope, providers, identities, environment)).Select(step => (step, _plugin.Execute(step, environment, CancellationToken.None))).ToList();

    private List<string?> SubscriptionIds() => JsonFile.Parse(File.ReadAllBytes(AzurePath("azureProfile.json")))["subscriptions"]!.AsArray().Select(s => (string?)s!["id"]).ToList();

    private List<string> Usernames(string cache) =>
        JsonFile.Parse(File.ReadAllBytes(cache))["Account"]!.AsObject().Select(a => (string)a.Value!["username"]!).ToList();

    [Fact]
    public void An_identity_logout_without_a_realm_ends_its_providers_session_and_removes_only_its_subscription()
    {
        var credentials = Credentials("azure-dev", Dev);
        PluginTestHome.Write(credentials + ".lock", string.Empty);
        var otherCredentials = Credentials("other", Ops);
        var deviceCode = PluginTestHome.Write(Path.Join(_home.Home, ".cache/atmos/azure-device-code/azure-dev/token.json"), "{\"accessToken\":\"fake-dc\"}");
        var provider = Provider("azure-dev", AzureKinds.DeviceCode);

        var outcome = LogOut(LogoutScope.Identity, [], [Subscription("dev", Dev, provider)], Environment());

        Assert.Equal(
            [("remove-azure-cli-logins", AzurePath("azureProfile.json")), ("remove-atmos-credentials", credentials), ("clear-device-code-cache", Path.GetDirectoryName(deviceCode) + "/")],
            outcome.Select(o => (o.Step.Action, o.Step.Target)));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal([Prod, Ops, Ci], SubscriptionIds());
        Assert.Equal(_cacheFixture, File.ReadAllBytes(AzurePath("msal_token_cache.json"))); // prod still signs in as Alice
        Assert.False(File.Exists(credentials));
        Assert.False(Directory.Exists(Path.GetDirectoryName(credentials))); // left holding only its free lock file: it goes
        Assert.True(File.Exists(otherCredentials));
        Assert.False(File.Exists(deviceCode));
    }

    [Fact]
    public void A_provider_logout_with_a_realm_removes_its_logins_its_credentials_in_both_layouts_and_its_realm_sign_ins()
    {
        var inRealm = Credentials("acme/azure-dev", Prod);
        var legacy = Credentials("azure-dev", Dev);
        var realmCache = PluginTestHome.Write(AzurePath("atmos/acme/msal_token_cache.json"), RealmCache());
        var provider = Provider("azure-dev", AzureKinds.DeviceCode, ("spec.subscription_id", Dev));

        var outcome = LogOut(LogoutScope.Provider, [provider], [Subscription("prod", Prod, provider)], Environment("acme"));

        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal(["remove-azure-cli-logins", "remove-atmos-credentials", "remove-realm-msal-sign-ins"], outcome.Select(o => o.Step.Action));
        Assert.Equal(["prod", "azure-dev"], outcome[0].Step.Principals);
        Assert.Equal([inRealm, legacy], outcome[1].Step.Paths);
        Assert.Equal([Ops, Ci], SubscriptionIds());
        Assert.Equal(["bob@contoso.com"], Usernames(AzurePath("msal_token_cache.json"))); // Alice is no longer used by any subscription
        Assert.False(Directory.Exists(AzurePath("atmos/acme/azure-dev")));

        // The realm cache keeps the other tenant's sign-in; Alice, signed in nowhere else, loses her refresh token.
        var cache = JsonFile.Parse(File.ReadAllBytes(realmCache));
        Assert.Equal(["carol@fabrikam.com"], Usernames(realmCache));
        Assert.Equal(["fake-realm-rt-carol"], cache["RefreshToken"]!.AsObject().Select(t => (string)t.Value!["secret"]!));
        Assert.DoesNotContain(cache["AccessToken"]!.AsObject(), t => (string?)t.Value!["realm"] == Tenant);
    }

    [Fact]
    public void An_oidc_providers_logout_removes_its_federated_entry_byte_for_byte_and_keeps_a_secret_entry()
    {
        const string entries = """
            [
              {
                "client_id": "33333333-0000-0000-0000-0000000005e1",
                "tenant": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
                "client_assertion": "fake-federated-jwt"
              },
              {
                "client_id": "99999999-0000-0000-0000-000000000999",
                "tenant": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
                "client_secret": "fake-own-secret"
              }
            ]
            """;
        const string left = """
            [
              {
                "client_id": "99999999-0000-0000-0000-000000000999",
                "tenant": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
                "client_secret": "fake-own-secret"
              }
            ]
            """;
        var file = PluginTestHome.Write(AzurePath("service_principal_entries.json"), entries);
        var provider = Provider("github", AzureKinds.Oidc, ("spec.client_id", ServicePrincipal));

        var outcome = LogOut(LogoutScope.Identity, [], [Subscription("ci", Ci, provider)], Environment());

        Assert.Equal(["remove-azure-cli-logins", "remove-service-principal-entries"], outcome.Select(o => o.Step.Action));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal(left, File.ReadAllText(file));
        Assert.Equal([Dev, Prod, Ops], SubscriptionIds());
        Assert.DoesNotContain(JsonFile.Parse(File.ReadAllBytes(AzurePath("msal_token_cache.json")))["AccessToken"]!.AsObject(), t => (string?)t.Value!["client_id"] == ServicePrincipal);
    }

    [Fact]
    public void An_azure_cli_providers_identity_leaves_the_users_own_az_login_alone()
    {
        var credentials = Credentials("az", Dev);
        var provider = Provider("az", AzureKinds.Cli);

        var outcome = LogOut(LogoutScope.Provider, [provider], [Subscription("dev", Dev, provider)], Environment());

        Assert.Equal(["remove-atmos-credentials"], outcome.Select(o => o.Step.Action));
        Assert.False(File.Exists(credentials));
        Assert.Equal(_profileFixture, File.ReadAllBytes(AzurePath("azureProfile.json")));
        Assert.Equal(_cacheFixture, File.ReadAllBytes(AzurePath("msal_token_cache.json")));
    }

    [Fact]
    public void Status_lists_every_file_and_planning_writes_nothing()
    {
        Credentials("acme/azure-dev", Dev);
        PluginTestHome.Write(AzurePath("atmos/acme/msal_token_cache.json"), RealmCache());
        var provider = Provider("azure-dev", AzureKinds.DeviceCode);
        var request = new PlanRequest(LogoutScope.All, [provider], [Subscription("dev", Dev, provider)], Environment("acme"));
        var before = _home.TreeHash();

        _plugin.Plan(request);
        var artifacts = _plugin.Inspect(request);

        Assert.Equal(before, _home.TreeHash());
        Assert.Contains(artifacts, a => a.Principal == "dev" && a.Description == $"subscription {Dev} in azureProfile.json");
        Assert.Contains(artifacts, a => a.Principal == "azure-dev" && a.Description == "atmos Azure credentials (access tokens)" && a.Expires == DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(artifacts, a => a.Principal == "azure-dev" && a.Description == "atmos MSAL sign-in of alice@contoso.com (refresh token)");
        PluginTestHome.AssertNoSecret(artifacts, []);
    }

    [RequiresProgramFact("az", "azure-cli")]
    public void Azure_cli_reads_the_edited_files_and_lists_the_remaining_subscriptions()
    {
        var provider = Provider("azure-dev", AzureKinds.DeviceCode);
        var outcome = LogOut(LogoutScope.Provider, [provider], [Subscription("dev", Dev, provider), Subscription("prod", Prod, provider)], Environment());
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));

        // The Azure CLI's own folder, ~/.azure, as az finds it from HOME.
        var variables = new Dictionary<string, string>
        {
            ["HOME"] = _home.Home,
            ["AZURE_CORE_COLLECT_TELEMETRY"] = "0",
            ["AZURE_CORE_NO_COLOR"] = "1",
        };
        var (exitCode, output, error) = PluginTestHome.Run("az", variables, "account", "list", "--output", "json");

        Assert.True(exitCode == 0, error);
        var listed = JsonNode.Parse(output)!.AsArray();
        Assert.Equal([Ops, Ci], listed.Select(s => (string?)s!["id"]));
        Assert.Equal(["bob@contoso.com", ServicePrincipal], listed.Select(s => (string?)s!["user"]!["name"]));
    }

    // atmos's realm MSAL cache as MSAL Go exports it: Alice signed in to the provider's tenant, Carol to another.
    private static string RealmCache() => """
        {"AccessToken":{"@ALICE@-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-@TENANT@-https://management.core.windows.net//.default":{"home_account_id":"@ALICE@","environment":"login.microsoftonline.com","realm":"@TENANT@","credential_type":"AccessToken","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","secret":"fake-realm-at-alice","target":"https://management.core.windows.net//.default","cached_at":"1893456000","expires_on":"1893459600","extended_expires_on":"1893459600"},"c0c0.@OTHER@-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-@OTHER@-https://management.core.windows.net//.default":{"home_account_id":"c0c0.@OTHER@","environment":"login.microsoftonline.com","realm":"@OTHER@","credential_type":"AccessToken","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","secret":"fake-realm-at-carol","target":"https://management.core.windows.net//.default","cached_at":"1893456000","expires_on":"1893459600","extended_expires_on":"1893459600"}},
         "RefreshToken":{"@ALICE@-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--":{"home_account_id":"@ALICE@","environment":"login.microsoftonline.com","credential_type":"RefreshToken","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","secret":"fake-realm-rt-alice"},"c0c0.@OTHER@-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--":{"home_account_id":"c0c0.@OTHER@","environment":"login.microsoftonline.com","credential_type":"RefreshToken","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","secret":"fake-realm-rt-carol"}},
         "IdToken":{"@ALICE@-login.microsoftonline.com-idtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-@TENANT@-":{"home_account_id":"@ALICE@","environment":"login.microsoftonline.com","realm":"@TENANT@","credential_type":"IdToken","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","secret":"fake.id.alice"}},
         "Account":{"@ALICE@-login.microsoftonline.com-@TENANT@":{"home_account_id":"@ALICE@","environment":"login.microsoftonline.com","realm":"@TENANT@","local_account_id":"11111111-0000-0000-0000-00000000a11c","username":"alice@contoso.com","authority_type":"MSSTS"},"c0c0.@OTHER@-login.microsoftonline.com-@OTHER@":{"home_account_id":"c0c0.@OTHER@","environment":"login.microsoftonline.com","realm":"@OTHER@","local_account_id":"c0c0","username":"carol@fabrikam.com","authority_type":"MSSTS"}},
         "AppMetadata":{"appmetadata-login.microsoftonline.com-04b07795-8ddb-461a-bbee-02f9e1bf7b46":{"environment":"login.microsoftonline.com","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","family_id":"1"}}}
        """.Replace("@ALICE@", AliceHome, StringComparison.Ordinal).Replace("@TENANT@", Tenant, StringComparison.Ordinal).Replace("@OTHER@", OtherTenant, StringComparison.Ordinal);
}
