using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Azure.Tests;

public sealed class AzurePluginTests : IDisposable
{
    private const string Tenant = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
    private const string Dev = "11111111-1111-1111-1111-111111111111"; // alice@contoso.com, the default
    private const string Prod = "22222222-2222-2222-2222-222222222222"; // Alice@Contoso.com: the same user, another case
    private const string Ops = "44444444-4444-4444-4444-444444444444"; // bob@contoso.com
    private const string Ci = "55555555-5555-5555-5555-555555555555"; // a service principal
    private const string AliceHome = "11111111-0000-0000-0000-00000000a11c." + Tenant;
    private const string BobHome = "22222222-0000-0000-0000-000000000b0b." + Tenant;
    private const string ServicePrincipal = "33333333-0000-0000-0000-0000000005e1";
    private static readonly string[] AccountMaps = ["AccessToken", "RefreshToken", "IdToken", "Account"];

    private readonly PluginTestHome _home = new("azure");
    private readonly AzurePlugin _plugin = new();
    private readonly ProviderTarget _provider;
    private readonly byte[] _profileFixture = File.ReadAllBytes(Path.Join(AppContext.BaseDirectory, "Fixtures", "azureProfile.json"));
    private readonly byte[] _cacheFixture = File.ReadAllBytes(Path.Join(AppContext.BaseDirectory, "Fixtures", "msal_token_cache.json"));

    public AzurePluginTests()
    {
        _provider = _home.Provider("azure-dev", AzureKinds.DeviceCode, ("spec.tenant_id", Tenant));
        PluginTestHome.Write(ProfilePath, _profileFixture);
        PluginTestHome.Write(CachePath, _cacheFixture);
    }

    private string ProfilePath => Path.Join(_provider.Folder, "azureProfile.json");

    private string CachePath => Path.Join(_provider.Folder, "msal_token_cache.json");

    private string DeviceCodeFolder => Path.Join(_home.Home, ".cache", "atmos", "azure-device-code", _provider.Name);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Identity_logout_removes_only_its_subscription_and_keeps_an_account_another_subscription_uses()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("dev", Dev)]));

        var (step, result) = Assert.Single(outcome);
        Assert.Equal("remove-subscriptions", step.Action);
        Assert.Equal(["dev"], step.Principals);
        Assert.Equal(_provider.Folder + Path.DirectorySeparatorChar, step.Target);
        Assert.Equal([ProfilePath], step.Paths); // prod is still signed in as Alice@Contoso.com: the MSAL cache is not touched
        Assert.Equal(StepStatus.Removed, result.Status);

        Assert.Equal([Prod, Ops, Ci], SubscriptionIds());
        Assert.Equal(_cacheFixture, File.ReadAllBytes(CachePath));

        // Written back the way the Azure CLI reads it: BOM, unknown fields, no silent move of the default.
        var bytes = File.ReadAllBytes(ProfilePath);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var profile = Profile();
        Assert.Equal("5c0e5d5e-1234-11ef-8000-0242ac120002", (string?)profile["installationId"]);
        Assert.Equal("by a newer az", (string?)profile["futureRootField"]!["added"]);
        Assert.All(profile["subscriptions"]!.AsArray(), s => Assert.Equal("contoso.onmicrosoft.com", (string?)s!["tenantDefaultDomain"]));
        Assert.All(profile["subscriptions"]!.AsArray(), s => Assert.False((bool)s!["isDefault"]!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(ProfilePath));
        }
    }

    [Fact]
    public void Identity_logout_of_an_accounts_last_subscriptions_removes_that_account_from_the_msal_cache()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("dev", Dev), Subscription("prod", Prod)]));

        var (step, result) = Assert.Single(outcome);
        Assert.Equal(["dev", "prod"], step.Principals);
        Assert.Equal([ProfilePath, CachePath], step.Paths);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal([Ops, Ci], SubscriptionIds());

        var before = JsonNode.Parse(_cacheFixture)!;
        var after = JsonNode.Parse(File.ReadAllBytes(CachePath))!;
        foreach (var map in AccountMaps)
        {
            Assert.DoesNotContain(Entries(after, map), e => (string?)e["home_account_id"] == AliceHome);
            Assert.Equal(
                Entries(before, map).Where(e => (string?)e["home_account_id"] != AliceHome).Select(e => e.ToJsonString()),
                Entries(after, map).Select(e => e.ToJsonString()));
        }

        Assert.Contains(Entries(after, "Account"), e => (string?)e["home_account_id"] == BobHome);
        Assert.Equal(2, after["AppMetadata"]!.AsObject().Count);
        Assert.Equal("me", (string?)after["UnknownFutureSection"]!["keep"]);
        Assert.StartsWith("{\n    \"AccessToken\": {\n        \"", Encoding.UTF8.GetString(File.ReadAllBytes(CachePath)), StringComparison.Ordinal);
    }

    [Fact]
    public void Service_principal_subscription_removes_only_that_clients_access_tokens()
    {
        var (_, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("ci", Ci)])));

        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal([Dev, Prod, Ops], SubscriptionIds());
        var after = JsonNode.Parse(File.ReadAllBytes(CachePath))!;
        Assert.DoesNotContain(Entries(after, "AccessToken"), e => (string?)e["client_id"] == ServicePrincipal);
        Assert.Equal(3, Entries(after, "AccessToken").Count());
        Assert.Equal(3, Entries(after, "RefreshToken").Count());
        Assert.Contains("appmetadata-login.microsoftonline.com-" + ServicePrincipal, after["AppMetadata"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void A_subscription_in_another_tenant_or_not_there_plans_nothing()
    {
        var otherTenant = Subscription("dev", Dev, ("principal.tenant_id", "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"));
        var unknown = Subscription("gone", "99999999-9999-9999-9999-999999999999");

        Assert.Empty(_plugin.Plan(_home.Request(LogoutScope.Identity, [], [otherTenant, unknown])));

        var sameTenant = Subscription("dev", Dev, ("principal.tenant_id", Tenant.ToUpperInvariant()));
        Assert.Equal(StepStatus.Removed, Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [sameTenant]))).Result.Status);
    }

    [Theory]
    [InlineData("\uFEFF{\"installationId\": \"x\", \"subscriptions\": [{\"id\": ")]
    [InlineData("\uFEFF{\"installationId\": \"x\", \"subscriptions\": [{\"id\": \"11111111-1111-1111-1111-111111111111\", \"id\": \"other\"}]}")]
    public void Malformed_profile_is_reported_and_both_files_stay_byte_for_byte(string content)
    {
        var broken = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(ProfilePath, broken);

        var (step, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("dev", Dev)])));

        Assert.Equal(["dev"], step.Principals);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("malformed file, left untouched", result.Reason);
        Assert.Contains("azureProfile.json", result.Detail, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllBytes(ProfilePath));
        Assert.Equal(_cacheFixture, File.ReadAllBytes(CachePath));
    }

    [Fact]
    public void Malformed_msal_cache_fails_the_step_without_removing_the_subscription()
    {
        var broken = "{\n    \"AccessToken\": {\n"u8.ToArray();
        File.WriteAllBytes(CachePath, broken);

        var (step, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("ops", Ops)])));

        Assert.Equal([ProfilePath, CachePath], step.Paths);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("malformed file, left untouched", result.Reason);
        Assert.Contains("msal_token_cache.json", result.Detail, StringComparison.Ordinal);
        Assert.Equal(_profileFixture, File.ReadAllBytes(ProfilePath));
        Assert.Equal(broken, File.ReadAllBytes(CachePath));
    }

    [Fact]
    public void Msal_cache_locked_by_the_azure_cli_fails_within_the_lock_timeout_and_changes_nothing()
    {
        var steps = _plugin.Plan(_home.Request(LogoutScope.Identity, [], [Subscription("ops", Ops)]));

        // msal-extensions holds <cache>.lockfile with flock while the Azure CLI rewrites the cache.
        using (FileLock.AcquireAt(CachePath + ".lockfile", TimeSpan.FromSeconds(1)))
        {
            var clock = Stopwatch.StartNew();
            var result = _plugin.Execute(Assert.Single(steps), _home.Environment, CancellationToken.None);

            Assert.InRange(clock.Elapsed, _home.Environment.LockTimeout, TimeSpan.FromSeconds(5));
            Assert.Equal(StepStatus.Failed, result.Status);
            Assert.Equal("locked by another process", result.Reason);
        }

        Assert.Equal(_profileFixture, File.ReadAllBytes(ProfilePath));
        Assert.Equal(_cacheFixture, File.ReadAllBytes(CachePath));
    }

    [Fact]
    public void Provider_logout_removes_the_config_folder_and_the_device_code_cache()
    {
        WriteDeviceCodeToken();
        var identities = new[] { Subscription("dev", Dev), Subscription("ops", Ops) };

        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Provider, [_provider], identities));

        Assert.Equal(["remove-provider-folder", "clear-device-code-cache"], outcome.Select(o => o.Step.Action));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.All(outcome, o => Assert.Equal([_provider.Name], o.Step.Principals));
        Assert.False(Directory.Exists(_provider.Folder));
        Assert.False(Directory.Exists(DeviceCodeFolder));
        Assert.True(Directory.Exists(Path.GetDirectoryName(DeviceCodeFolder)));
        Assert.True(Directory.Exists(_home.Environment.DefaultBaseFolder));
    }

    [Fact]
    public void Identity_logout_also_ends_its_providers_device_code_session()
    {
        WriteDeviceCodeToken();

        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("ops", Ops)]));

        Assert.Equal(["remove-subscriptions", "clear-device-code-cache"], outcome.Select(o => o.Step.Action));
        Assert.Equal("device-code token cache", outcome[1].Step.Note);
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.False(Directory.Exists(DeviceCodeFolder));
    }

    [Fact]
    public void Symlinked_provider_folder_is_unlinked_and_its_target_survives()
    {
        var target = _home.ReplaceWithSymlink(_provider.Folder);

        var identityOutcome = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("dev", Dev)])));
        Assert.Equal(StepStatus.Failed, identityOutcome.Result.Status);
        Assert.Equal("refused: unsafe path", identityOutcome.Result.Reason);

        var (step, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Provider, [_provider], [])));

        Assert.Equal("remove-provider-folder", step.Action);
        // The link goes, the folder it points at is never entered: the step says its target still holds the credentials.
        Assert.Equal(("link removed, target kept", StepStatus.Failed), (result.Reason, result.Status));
        Assert.Contains($"still holds {"azureProfile.json, msal_token_cache.json"}", result.Detail, StringComparison.Ordinal);
        Assert.False(Path.Exists(_provider.Folder) || new FileInfo(_provider.Folder).LinkTarget is not null);
        Assert.Equal(_profileFixture, File.ReadAllBytes(Path.Join(target, "azureProfile.json")));
        Assert.Equal(_cacheFixture, File.ReadAllBytes(Path.Join(target, "msal_token_cache.json")));
    }

    [Fact]
    public void Plan_and_inspect_write_nothing()
    {
        WriteDeviceCodeToken();
        _home.AssertPlanningWritesNothing(_plugin, _provider, new[] { Subscription("dev", Dev), Subscription("prod", Prod), Subscription("ci", Ci) });
    }

    [Fact]
    public void Steps_results_and_status_carry_no_secret()
    {
        WriteDeviceCodeToken();
        var identities = new[] { Subscription("dev", Dev), Subscription("prod", Prod), Subscription("ops", Ops), Subscription("ci", Ci) };
        var inspected = _plugin.Inspect(_home.Request(LogoutScope.Identity, [], identities));
        File.WriteAllText(CachePath, "{\"AccessToken\": {\"k\": {\"secret\": \"fake-broken\"");
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], identities));

        PluginTestHome.AssertNoSecret(inspected, outcome);
        Assert.Contains(outcome, o => o.Result.Status == StepStatus.Failed);
    }

    [Fact]
    public void Inspect_lists_the_subscription_its_tokens_with_expiry_and_the_device_code_token()
    {
        WriteDeviceCodeToken();

        var artifacts = _plugin.Inspect(_home.Request(LogoutScope.Identity, [], [Subscription("ops", Ops), Subscription("ci", Ci)]));

        Assert.Equal(
            [
                ("ops", ProfilePath, "subscription 44444444-4444-4444-4444-444444444444 in azureProfile.json", (DateTimeOffset?)null),
                ("ops", CachePath, "MSAL access token for https://management.core.windows.net//.default", DateTimeOffset.FromUnixTimeSeconds(1893460600)),
                ("ops", CachePath, "MSAL refresh token of bob@contoso.com", null),
                ("ci", ProfilePath, "subscription 55555555-5555-5555-5555-555555555555 in azureProfile.json", null),
                ("ci", CachePath, "MSAL access token for https://management.core.windows.net//.default", DateTimeOffset.FromUnixTimeSeconds(1893461599)),
                ("azure-dev", Path.Join(DeviceCodeFolder, "token.json"), "device-code access token", new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            ],
            artifacts.Select(a => (a.Principal, a.Path, a.Description, a.Expires)));
        Assert.All(artifacts, a => Assert.Equal(CredentialClass.Session, a.Class));
    }

    [Theory]
    [InlineData("{\"client_id\":\"app\",\"client_secret\":\"s3cret\",\"tenant_id\":\"t\"}", CredentialClass.LongLived)]
    [InlineData("{\"clientCertificatePath\":\"/keys/sp.pem\"}", CredentialClass.LongLived)]
    [InlineData("{\"principal\":{\"certificate\":\"-----BEGIN CERTIFICATE-----\"}}", CredentialClass.LongLived)]
    [InlineData("{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_on\":\"1893459600\"}", CredentialClass.Session)]
    [InlineData("{\"client_id\":\"app\",\"client_assertion\":\"eyJ...\",\"client_secret\":\"\"}", CredentialClass.Session)]
    public void Classify_tells_keychain_credentials_from_tokens(string data, CredentialClass expected)
    {
        Assert.Equal(expected, _plugin.Classify(PluginTestHome.KeyringEntry("azure-dev", AzureKinds.DeviceCode, "azure", data)));
    }

    [Fact]
    public void Validation_names_the_setting_and_the_fix()
    {
        var oidc = _home.Provider("ci", AzureKinds.Oidc);
        Assert.Equal(
            [
                "provider 'ci' (azure/oidc) has no tenant_id; add spec.tenant_id: <Entra ID tenant GUID>",
                "provider 'ci' (azure/oidc) has no client_id; add spec.client_id: <application (client) id of the federated app>",
            ],
            _plugin.ValidateProvider(oidc));
        Assert.Empty(_plugin.ValidateProvider(_provider));
        Assert.Empty(_plugin.ValidateProvider(_home.Provider("cli", AzureKinds.Cli)));

        Assert.Empty(_plugin.ValidateIdentity(Subscription("dev", Dev, ("principal.tenant_id", Tenant))));
        Assert.Equal(
            [
                "identity 'bad': principal.subscription_id 'dev' is not a GUID (az account list shows the id)",
                "identity 'bad': principal.tenant_id 'contoso.com' is not a GUID; azureProfile.json records tenants by id (az account show --query tenantId)",
            ],
            _plugin.ValidateIdentity(Subscription("bad", "dev", ("principal.tenant_id", "contoso.com"))));
    }

    [RequiresProgramFact("az", "azure-cli")]
    public void Azure_cli_lists_exactly_the_remaining_subscriptions()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Subscription("dev", Dev), Subscription("ops", Ops)]));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));

        var variables = new Dictionary<string, string>
        {
            ["AZURE_CONFIG_DIR"] = _provider.Folder,
            ["AZURE_CORE_COLLECT_TELEMETRY"] = "0",
            ["AZURE_CORE_NO_COLOR"] = "1",
        };
        var (exitCode, output, error) = PluginTestHome.Run("az", variables, "account", "list", "--output", "json");

        Assert.True(exitCode == 0, error);
        var listed = JsonNode.Parse(output)!.AsArray();
        Assert.Equal([Prod, Ci], listed.Select(s => (string?)s!["id"]));
        Assert.Equal(["Alice@Contoso.com", ServicePrincipal], listed.Select(s => (string?)s!["user"]!["name"]));
    }

    private IdentityTarget Subscription(string name, string id, params (string Path, string Value)[] more) =>
        PluginTestHome.Identity(name, AzureKinds.Subscription, _provider, [("principal.subscription_id", id), .. more]);

    private JsonNode Profile() => JsonFile.Parse(File.ReadAllBytes(ProfilePath));

    private List<string?> SubscriptionIds() => Profile()["subscriptions"]!.AsArray().Select(s => (string?)s!["id"]).ToList();

    private static IEnumerable<JsonObject> Entries(JsonNode cache, string map) =>
        cache[map]?.AsObject().Select(p => p.Value!.AsObject()) ?? [];

    private void WriteDeviceCodeToken() =>
        PluginTestHome.Write(
            Path.Join(DeviceCodeFolder, "token.json"),
            $"{{\n  \"accessToken\": \"fake-device-code-token\",\n  \"tokenType\": \"Bearer\",\n  \"expiresAt\": \"2030-01-01T00:00:00Z\",\n  \"tenantId\": \"{Tenant}\"\n}}");
}
