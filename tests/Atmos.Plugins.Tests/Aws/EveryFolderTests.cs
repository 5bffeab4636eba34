using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>
/// The AWS plugin looks in every folder an atmos version wrote a provider's files to (<see cref="ProviderTarget.Folders"/>)
/// and, for standalone identities, in every default base folder (<see cref="PluginEnvironment.DefaultBaseFolders"/>).
/// </summary>
public sealed class EveryFolderTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private string Config(string path) => _home.PathOf(".config/atmos/" + path);

    private ProviderTarget RealmProvider(string name) => new(name, AwsKinds.IdentityCenter, Config("acme/aws"), Config("acme/aws/" + name), true, Settings.Empty)
    {
        Folders =
        [
            new ProviderFolder(Config("acme/aws"), Config("acme/aws/" + name), FolderLayout.Current),
            new ProviderFolder(Config("aws"), Config("aws/" + name), FolderLayout.NoRealm),
        ],
    };

    private PluginEnvironment RealmEnvironment() =>
        new(_home.Home, Config("acme/aws"), _home.PathOf(".cache"), _home.PathOf(".local/share"), TimeSpan.FromSeconds(5), TimeProvider.System, new Dictionary<string, string>())
        {
            Realm = "acme",
            DefaultBaseFolders = [Config("acme/aws"), Config("aws")],
        };

    [Fact]
    public void A_provider_logout_removes_the_realm_folder_and_the_legacy_one()
    {
        _home.Write(".config/atmos/acme/aws/sso/credentials", "[dev]\naws_access_key_id = A\n");
        _home.Write(".config/atmos/aws/sso/config", "[profile dev]\nregion = us-east-1\n");
        var provider = RealmProvider("sso");
        var identity = new IdentityTarget("dev", AwsKinds.PermissionSet, ["sso", "dev"], provider, Settings.Empty);

        var steps = new AwsPlugin().Plan(new PlanRequest(LogoutScope.Provider, [provider], [identity], RealmEnvironment()));

        Assert.Equal(
            [(Config("acme/aws/sso/"), Config("acme/aws"), "XDG-compliant"), (Config("aws/sso/"), Config("aws"), "XDG-compliant")],
            steps.Select(s => (s.Target, s.Arguments["base"], s.Note)));
        Assert.All(steps, s => Assert.Equal(["sso", "dev"], s.Principals));
    }

    [Fact]
    public void An_identity_logout_edits_its_sections_in_every_folder_in_lower_case_and_as_written()
    {
        _home.Write(".config/atmos/acme/aws/sso/credentials", "[dev-admin]\naws_access_key_id = A\n\n[other]\naws_access_key_id = B\n");
        _home.Write(".config/atmos/aws/sso/credentials", "[Dev-Admin]\naws_access_key_id = C\n\n[other]\naws_access_key_id = D\n");
        var provider = RealmProvider("sso");
        var identity = new IdentityTarget("Dev-Admin", AwsKinds.PermissionSet, ["sso", "Dev-Admin"], provider, Settings.Empty);
        var plugin = new AwsPlugin();
        var environment = RealmEnvironment();

        var steps = plugin.Plan(new PlanRequest(LogoutScope.Identity, [], [identity], environment));
        Assert.Equal([Config("acme/aws/sso/"), Config("aws/sso/")], steps.Select(s => s.Target));
        Assert.All(steps, s => Assert.Equal(StepStatus.Removed, plugin.Execute(s, environment, CancellationToken.None).Status));

        Assert.Equal("[other]\naws_access_key_id = B\n", File.ReadAllText(Config("acme/aws/sso/credentials")));
        Assert.Equal("[other]\naws_access_key_id = D\n", File.ReadAllText(Config("aws/sso/credentials")));
    }

    [Fact]
    public void A_standalone_identity_is_found_in_every_default_base_folder_under_aws_user_and_its_chain_root()
    {
        _home.Write(".config/atmos/acme/aws/aws-user/credentials", "[ci]\naws_access_key_id = A\n");
        _home.Write(".config/atmos/aws/aws-user/credentials", "[ci]\naws_access_key_id = B\n");
        _home.Write(".config/atmos/aws/me/credentials", "[deploy]\naws_access_key_id = C\n");
        var ci = new IdentityTarget("ci", AwsKinds.User, ["ci"], null, Settings.Empty);
        var deploy = new IdentityTarget("deploy", AwsKinds.AssumeRole, ["me", "deploy"], null, Settings.Empty);

        var steps = new AwsPlugin().Plan(new PlanRequest(LogoutScope.All, [], [ci, deploy], RealmEnvironment()));

        Assert.Equal(
            [(Config("acme/aws/aws-user/"), "ci"), (Config("aws/aws-user/"), "ci"), (Config("aws/me/"), "deploy")],
            steps.Select(s => (s.Target, string.Join(",", s.Principals))));
    }

    [Fact]
    public void The_v1199_base_path_layout_is_still_removed()
    {
        _home.Write("custom/sso/credentials", "[dev]\naws_access_key_id = A\n");
        var provider = new ProviderTarget("sso", AwsKinds.Saml, _home.PathOf("custom/aws"), _home.PathOf("custom/aws/sso"), false, Settings.Empty)
        {
            Folders =
            [
                new ProviderFolder(_home.PathOf("custom/aws"), _home.PathOf("custom/aws/sso"), FolderLayout.Current),
                new ProviderFolder(Config("aws"), Config("aws/sso"), FolderLayout.IdentityDefault),
                new ProviderFolder(_home.PathOf("custom"), _home.PathOf("custom/sso"), FolderLayout.BasePathV1199),
            ],
        };

        var step = Assert.Single(new AwsPlugin().Plan(new PlanRequest(LogoutScope.Provider, [provider], [], RealmEnvironment())));

        Assert.Equal((_home.PathOf("custom/sso/"), _home.PathOf("custom"), (string?)null), (step.Target, step.Arguments["base"], step.Note));
    }
}
