using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>
/// One atmos.yaml with AWS, Azure and GCP, logged out through the published `atmos` with the real plugins; the results
/// are read back with the clouds' own tools where they are installed (az, sqlite3).
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class MixedCloudTests : IDisposable
{
    private const string Config = """
        auth:
          keyring: { type: memory }
          providers:
            aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://mycompany.awsapps.com/start" }
            azure-dev: { kind: azure/device-code, spec: { tenant_id: aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa } }
            gcp-adc: { kind: gcp/adc }
          identities:
            dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
            az-dev: { kind: azure/subscription, via: { provider: azure-dev }, principal: { subscription_id: 11111111-1111-1111-1111-111111111111 } }
            az-prod: { kind: azure/subscription, via: { provider: azure-dev }, principal: { subscription_id: 22222222-2222-2222-2222-222222222222 } }
            az-ops: { kind: azure/subscription, via: { provider: azure-dev }, principal: { subscription_id: 44444444-4444-4444-4444-444444444444 } }
            dev-sa: { kind: gcp/service-account, via: { provider: gcp-adc }, principal: { service_account_email: sa-dev@proj-dev.iam.gserviceaccount.com } }
            prod-sa: { kind: gcp/service-account, via: { provider: gcp-adc }, principal: { service_account_email: sa-prod@proj-prod.iam.gserviceaccount.com } }
        """;

    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();
    private readonly string _config;

    public MixedCloudTests(PublishedAtmos atmos)
    {
        _atmos = atmos;
        _config = _home.Write("project/atmos.yaml", Config);
        _home.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = ASIA\naws_secret_access_key = s\naws_session_token = t\n");
        var azure = _home.PathOf(".config/atmos/azure/azure-dev");
        Directory.CreateDirectory(azure);
        foreach (var file in new[] { "azureProfile.json", "msal_token_cache.json" })
        {
            File.Copy(Path.Join(AppContext.BaseDirectory, "Fixtures", "Azure", file), Path.Join(azure, file));
        }

        _home.Write(".cache/atmos/azure-device-code/azure-dev/token.json", """{"access_token":"fake-device-code-token"}""");
        GcloudFixture.Create(_home.PathOf(".config/atmos/gcp/gcp-adc"));
    }

    public void Dispose() => _home.Dispose();

    private Processes.Outcome Atmos(params string[] args) => Processes.Run(
        _atmos.Executable,
        [.. args, "--config", _config],
        new Dictionary<string, string> { ["HOME"] = _home.Home, ["NO_COLOR"] = "1", ["XDG_CONFIG_HOME"] = string.Empty, ["XDG_CACHE_HOME"] = string.Empty, ["ATMOS_PLUGINS_MANIFEST"] = string.Empty },
        _home.Root);

    [Fact]
    public void All_removes_every_clouds_state()
    {
        var result = Atmos("auth", "logout", "--all");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/azure/azure-dev/ (XDG-compliant)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/gcp/gcp-adc/ (XDG-compliant)", result.Lines);
        Assert.False(_home.Exists(".config/atmos/aws/aws-sso"));
        Assert.False(_home.Exists(".config/atmos/azure/azure-dev"));
        Assert.False(_home.Exists(".config/atmos/gcp/gcp-adc"));
        Assert.False(_home.Exists(".cache/atmos/azure-device-code/azure-dev"));
    }

    [RequiresProgramFact("/usr/bin/az", "azure-cli")]
    public void An_azure_subscription_logout_leaves_the_others_readable_by_az()
    {
        var result = Atmos("auth", "logout", "az-prod");
        Assert.Equal(0, result.ExitCode);

        var az = Processes.Run("/usr/bin/az", ["account", "list", "--query", "[].id", "--output", "tsv"], new Dictionary<string, string>
        {
            ["AZURE_CONFIG_DIR"] = _home.PathOf(".config/atmos/azure/azure-dev"),
            ["HOME"] = _home.Home,
            ["AZURE_CORE_COLLECT_TELEMETRY"] = "false",
        });

        Assert.Equal(0, az.ExitCode);
        Assert.Equal(
            ["11111111-1111-1111-1111-111111111111", "44444444-4444-4444-4444-444444444444", "55555555-5555-5555-5555-555555555555"],
            az.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [RequiresProgramFact("/usr/bin/sqlite3", "sqlite3")]
    public void A_gcp_service_account_logout_leaves_the_other_accounts_rows()
    {
        var result = Atmos("auth", "logout", "dev-sa");
        Assert.Equal(0, result.ExitCode);

        var gcloud = _home.PathOf(".config/atmos/gcp/gcp-adc/gcloud");
        var credentials = Processes.Run("/usr/bin/sqlite3", [Path.Join(gcloud, "credentials.db"), "SELECT account_id FROM credentials ORDER BY account_id;"], new Dictionary<string, string>());
        var tokens = Processes.Run("/usr/bin/sqlite3", [Path.Join(gcloud, "access_tokens.db"), "SELECT account_id FROM access_tokens ORDER BY account_id;"], new Dictionary<string, string>());

        Assert.Equal(["alice@corp.example.com", "sa-prod@proj-prod.iam.gserviceaccount.com"], credentials.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["alice@corp.example.com", "sa-prod@proj-prod.iam.gserviceaccount.com"], tokens.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(_home.Exists(".config/atmos/gcp/gcp-adc/adc/dev-sa"));
        Assert.True(_home.Exists(".config/atmos/gcp/gcp-adc/adc/prod-sa"));
    }
}
