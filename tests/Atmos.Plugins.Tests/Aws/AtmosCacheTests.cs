using System.Security.Cryptography;
using System.Text;
using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>
/// What atmos itself keeps for AWS principals under its cache home and in saml2aws's folder (REAL-ATMOS §4): the SSO
/// session cache of both eras, provisioned identities, the webflow refresh token, the SAML browser session. Each goes with
/// the principal that owns it, exactly those files, and nothing else.
/// </summary>
public sealed class AtmosCacheTests : IDisposable
{
    private const string StartUrl = "https://corp.awsapps.com/start";
    private const string OtherUrl = "https://other.awsapps.com/start";
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private PluginEnvironment Environment(string? realm = null, string cache = ".cache") =>
        new(_home.Home, _home.PathOf(".config/atmos/aws"), _home.PathOf(cache), _home.PathOf(".local/share"), TimeSpan.FromSeconds(5), TimeProvider.System, new Dictionary<string, string>())
        {
            Realm = realm,
            AtmosCacheHome = _home.PathOf(cache + "/atmos"),
        };

    private ProviderTarget Sso(string name, string startUrl = StartUrl, string region = "us-east-1") =>
        new(name, AwsKinds.IdentityCenter, _home.PathOf(".config/atmos/aws"), _home.PathOf(".config/atmos/aws/" + name), true, With(("start_url", startUrl), ("region", region)));

    private static Settings With(params (string Key, string Value)[] values) =>
        new(values.ToDictionary(v => v.Key, v => (object?)v.Value, StringComparer.Ordinal));

    // atmos's session key, computed here independently of the plugin: SHA-1 of "start_url|region", lower-case hex.
    private static string SessionFile(string startUrl, string region) =>
        ".cache/atmos/aws-sso/sessions/" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(startUrl + "|" + region))) + ".json";

    private static string Session(string startUrl, string region) =>
        $"{{\n  \"accessToken\": \"fake-access\",\n  \"expiresAt\": \"2030-01-01T00:00:00Z\",\n  \"region\": \"{region}\",\n  \"startUrl\": \"{startUrl}\",\n  \"refreshToken\": \"fake-refresh\",\n  \"clientId\": \"c\",\n  \"clientSecret\": \"fake-secret\"\n}}";

    private static List<(FileStep Step, StepResult Result)> LogOut(AwsPlugin plugin, PlanRequest request) =>
        plugin.Plan(request).Select(step => (step, plugin.Execute(step, request.Environment, CancellationToken.None))).ToList();

    [Fact]
    public void An_identity_logout_removes_its_portals_session_of_both_eras_and_nothing_else()
    {
        var ours = _home.Write(SessionFile(StartUrl, "us-east-1"), Session(StartUrl, "us-east-1"));
        var otherRegion = _home.Write(SessionFile(StartUrl, "eu-west-1"), Session(StartUrl, "eu-west-1"));
        var otherPortal = _home.Write(SessionFile(OtherUrl, "us-east-1"), Session(OtherUrl, "us-east-1"));
        var legacy = _home.Write(".cache/atmos/aws-sso/corp-sso/token.json", Session(StartUrl, "us-east-1"));
        var otherLegacy = _home.Write(".cache/atmos/aws-sso/other-sso/token.json", Session(OtherUrl, "us-east-1"));
        var provider = Sso("corp-sso");
        var identity = new IdentityTarget("dev", AwsKinds.PermissionSet, ["corp-sso", "dev"], provider, Settings.Empty);
        var plugin = new AwsPlugin();

        var outcome = LogOut(plugin, new PlanRequest(LogoutScope.Identity, [], [identity], Environment()));

        var step = Assert.Single(outcome, o => o.Step.Action == "clear-atmos-sso-cache");
        Assert.Equal([ours, legacy], step.Step.Paths);
        Assert.Equal(["corp-sso"], step.Step.Principals);
        Assert.Equal(StepStatus.Removed, step.Result.Status);
        Assert.False(File.Exists(ours));
        Assert.False(File.Exists(legacy));
        Assert.False(Directory.Exists(_home.PathOf(".cache/atmos/aws-sso/corp-sso")));
        Assert.True(File.Exists(otherRegion) && File.Exists(otherPortal) && File.Exists(otherLegacy));
    }

    [Fact]
    public void Providers_sharing_a_portal_share_one_step_and_a_file_that_changed_hands_is_kept()
    {
        var shared = _home.Write(SessionFile(StartUrl, "us-east-1"), Session(StartUrl, "us-east-1"));
        var plugin = new AwsPlugin();
        var environment = Environment();
        var steps = plugin.Plan(new PlanRequest(LogoutScope.All, [Sso("a"), Sso("b")], [], environment));
        var step = Assert.Single(steps, s => s.Action == "clear-atmos-sso-cache");
        Assert.Equal([shared], step.Paths);
        Assert.Equal(["a", "b"], step.Principals);

        // Between planning and removal the file came to name another portal: it stays.
        File.WriteAllText(shared, Session(OtherUrl, "us-east-1"));
        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(StepStatus.NotFound, result.Status);
        Assert.True(File.Exists(shared));
    }

    [Fact]
    public void A_malformed_session_file_named_after_the_portal_goes_and_one_naming_another_portal_is_never_planned()
    {
        var garbled = _home.Write(SessionFile(StartUrl, "us-east-1"), "{ not json");
        var foreign = _home.Write(SessionFile(StartUrl + "/", "us-east-1"), Session(OtherUrl, "us-east-1"));
        var plugin = new AwsPlugin();

        var outcome = LogOut(plugin, new PlanRequest(LogoutScope.Provider, [Sso("corp")], [], Environment()));

        Assert.Equal([garbled], Assert.Single(outcome, o => o.Step.Action == "clear-atmos-sso-cache").Step.Paths);
        Assert.False(File.Exists(garbled));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void The_session_cache_follows_atmos_xdg_cache_home()
    {
        var ours = _home.Write(SessionFile(StartUrl, "us-east-1").Replace(".cache/", "xdg/cache/", StringComparison.Ordinal), Session(StartUrl, "us-east-1"));

        var outcome = LogOut(new AwsPlugin(), new PlanRequest(LogoutScope.Provider, [Sso("corp")], [], Environment(cache: "xdg/cache")));

        Assert.Equal([ours], Assert.Single(outcome, o => o.Step.Action == "clear-atmos-sso-cache").Step.Paths);
        Assert.False(File.Exists(ours));
    }

    [Fact]
    public void A_provider_logout_removes_its_provisioned_identities_and_an_identity_logout_does_not()
    {
        var ours = _home.Write(".cache/atmos/auth/corp/provisioned-identities.yaml", "auth:\n  identities:\n    core-root/readonly:\n      kind: aws/permission-set\n");
        var other = _home.Write(".cache/atmos/auth/other/provisioned-identities.yaml", "auth:\n  identities: {}\n");
        var provider = Sso("Corp");
        var identity = new IdentityTarget("core-root/readonly", AwsKinds.PermissionSet, ["Corp", "core-root/readonly"], provider, Settings.Empty);
        var plugin = new AwsPlugin();

        Assert.DoesNotContain(plugin.Plan(new PlanRequest(LogoutScope.Identity, [], [identity], Environment())), s => s.Action == "remove-provisioned-identities");
        var outcome = LogOut(plugin, new PlanRequest(LogoutScope.Provider, [provider], [identity], Environment()));

        var step = Assert.Single(outcome, o => o.Step.Action == "remove-provisioned-identities");
        Assert.Equal([ours], step.Step.Paths);
        Assert.Equal(StepStatus.Removed, step.Result.Status);
        Assert.False(Directory.Exists(_home.PathOf(".cache/atmos/auth/corp")));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void An_iam_users_webflow_refresh_token_goes_with_it_in_every_realm_form()
    {
        var realm = _home.Write(".cache/atmos/aws-webflow/ci-acme/refresh.json", "{\"refreshToken\":\"fake-1\"}");
        var noRealm = _home.Write(".cache/atmos/aws-webflow/ci-/refresh.json", "{\"refreshToken\":\"fake-2\"}");
        var nested = _home.Write(".cache/atmos/aws-webflow/team/deploy-acme/refresh.json", "{\"refreshToken\":\"fake-3\"}");
        var otherRealm = _home.Write(".cache/atmos/aws-webflow/ci-other/refresh.json", "{\"refreshToken\":\"fake-4\"}");
        var otherUser = _home.Write(".cache/atmos/aws-webflow/cia-acme/refresh.json", "{\"refreshToken\":\"fake-5\"}");
        var ci = new IdentityTarget("CI", AwsKinds.User, ["CI"], null, Settings.Empty);
        var deploy = new IdentityTarget("team/deploy", AwsKinds.User, ["team/deploy"], null, Settings.Empty);
        var plugin = new AwsPlugin();

        var outcome = LogOut(plugin, new PlanRequest(LogoutScope.Identity, [], [ci, deploy], Environment(realm: "acme")));

        var steps = outcome.Where(o => o.Step.Action == "remove-webflow-token").ToList();
        Assert.Equal([[realm, noRealm], [nested]], steps.Select(s => s.Step.Paths));
        Assert.All(steps, s => Assert.Equal(StepStatus.Removed, s.Result.Status));
        Assert.False(Directory.Exists(_home.PathOf(".cache/atmos/aws-webflow/team")));
        Assert.True(File.Exists(otherRealm) && File.Exists(otherUser));
    }

    [Fact]
    public void A_saml_providers_logout_removes_only_its_identity_providers_cookies_and_origins_byte_for_byte()
    {
        const string state = """
            {
              "cookies": [
                {"name": "sid", "value": "fake-okta", "domain": "corp.okta.com", "path": "/", "expires": -1},
                {"name": "DT", "value": "fake-okta-dt", "domain": ".okta.com", "path": "/", "expires": 1893456000},
                {"name": "aws-creds", "value": "fake-aws", "domain": "signin.aws.amazon.com", "path": "/", "expires": -1},
                {"name": "SID", "value": "fake-google", "domain": ".google.com", "path": "/", "expires": -1}
              ],
              "origins": [
                {"origin": "https://corp.okta.com", "localStorage": [{"name": "okta-token-storage", "value": "fake-ls"}]},
                {"origin": "https://accounts.google.com", "localStorage": []}
              ]
            }
            """;
        const string left = """
            {
              "cookies": [
                {"name": "aws-creds", "value": "fake-aws", "domain": "signin.aws.amazon.com", "path": "/", "expires": -1},
                {"name": "SID", "value": "fake-google", "domain": ".google.com", "path": "/", "expires": -1}
              ],
              "origins": [
                {"origin": "https://accounts.google.com", "localStorage": []}
              ]
            }
            """;
        var file = _home.Write(".aws/saml2aws/storageState.json", state);
        var okta = new ProviderTarget("okta", AwsKinds.Saml, _home.PathOf(".config/atmos/aws"), _home.PathOf(".config/atmos/aws/okta"), true, With(("url", "https://corp.okta.com/app/amazon_aws/abc/sso/saml"), ("region", "us-east-1")));
        var identity = new IdentityTarget("admin", AwsKinds.AssumeRole, ["okta", "admin"], okta, Settings.Empty);
        var plugin = new AwsPlugin();

        var outcome = LogOut(plugin, new PlanRequest(LogoutScope.Identity, [], [identity], Environment()));

        var step = Assert.Single(outcome, o => o.Step.Action == "clear-saml-browser-state");
        Assert.Equal(["okta"], step.Step.Principals);
        Assert.Equal(StepStatus.Removed, step.Result.Status);
        Assert.Equal(left, File.ReadAllText(file));
        Assert.DoesNotContain(plugin.Plan(new PlanRequest(LogoutScope.Identity, [], [identity], Environment())), s => s.Action == "clear-saml-browser-state");
    }

    [Fact]
    public void Status_lists_every_cache_and_planning_writes_nothing()
    {
        _home.Write(SessionFile(StartUrl, "us-east-1"), Session(StartUrl, "us-east-1"));
        _home.Write(".cache/atmos/aws-sso/corp/token.json", Session(StartUrl, "us-east-1"));
        _home.Write(".cache/atmos/auth/corp/provisioned-identities.yaml", "auth: {}\n");
        _home.Write(".cache/atmos/aws-webflow/ci-/refresh.json", "{}");
        var provider = Sso("corp");
        var ci = new IdentityTarget("ci", AwsKinds.User, ["ci"], null, Settings.Empty);
        var plugin = new AwsPlugin();
        var before = TempHome.Fingerprint(_home.Root);

        var request = new PlanRequest(LogoutScope.All, [provider], [ci], Environment());
        plugin.Plan(request);
        var artifacts = plugin.Inspect(request);

        Assert.Equal(before, TempHome.Fingerprint(_home.Root));
        Assert.Equal(
            [
                ("corp", "atmos SSO session (access and refresh token)", (DateTimeOffset?)DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
                ("corp", "atmos SSO session (access and refresh token)", DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
                ("corp", "provisioned identities", null),
                ("ci", "browser login refresh token", null),
            ],
            artifacts.Select(a => (a.Principal, a.Description, a.Expires)));
        Assert.DoesNotContain(artifacts, a => a.Description.Contains("fake-", StringComparison.Ordinal));
    }
}
