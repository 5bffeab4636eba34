using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Config;

/// <summary>Where atmos put a provider's files, in every version and realm (REAL-ATMOS §3, §4), as the host tells plugins.</summary>
public sealed class RealmFolderTests
{
    private const string Home = "/home/me";

    private static PathContext Context(params (string Name, string Value)[] variables) =>
        new(Home, "/work", "/work/project", variables.ToDictionary(v => v.Name, v => v.Value));

    private static RunContext Run(string yaml, params (string Name, string Value)[] variables) =>
        new(AuthConfigLoader.Parse(yaml, "atmos.yaml"), Catalogs.Empty(), new MemoryKeyring(), Context(variables), TimeProvider.System, TimeSpan.FromSeconds(1));

    private static IEnumerable<(string Base, string Folder, FolderLayout Layout)> Shape(IEnumerable<ProviderFolder> folders) =>
        folders.Select(f => (f.BaseFolder, f.Folder, f.Layout));

    [Fact]
    public void Without_a_realm_or_base_path_there_is_one_folder()
    {
        Assert.Equal(
            [("/home/me/.config/atmos/aws", "/home/me/.config/atmos/aws/aws-sso", FolderLayout.Current)],
            Shape(BasePaths.Folders("aws-sso", null, "aws", null, Context())));
    }

    [Fact]
    public void With_a_realm_the_legacy_no_realm_folder_follows_the_current_one()
    {
        Assert.Equal(
            [
                ("/x/atmos/acme/aws", "/x/atmos/acme/aws/aws-sso", FolderLayout.Current),
                ("/x/atmos/aws", "/x/atmos/aws/aws-sso", FolderLayout.NoRealm),
            ],
            Shape(BasePaths.Folders("aws-sso", null, "aws", "acme", Context(("ATMOS_XDG_CONFIG_HOME", "/x"), ("XDG_CONFIG_HOME", "/y")))));
    }

    [Fact]
    public void A_base_path_adds_the_identities_default_folders_and_the_v1199_layout()
    {
        Assert.Equal(
            [
                ("/home/me/.custom/aws/acme/aws", "/home/me/.custom/aws/acme/aws/sso", FolderLayout.Current),
                ("/home/me/.custom/aws/aws", "/home/me/.custom/aws/aws/sso", FolderLayout.NoRealm),
                ("/home/me/.config/atmos/acme/aws", "/home/me/.config/atmos/acme/aws/sso", FolderLayout.IdentityDefault),
                ("/home/me/.config/atmos/aws", "/home/me/.config/atmos/aws/sso", FolderLayout.IdentityDefault),
                ("/home/me/.custom/aws", "/home/me/.custom/aws/sso", FolderLayout.BasePathV1199),
            ],
            Shape(BasePaths.Folders("sso", "~/.custom/aws", "aws", "acme", Context())));
    }

    [Fact]
    public void A_relative_base_path_is_relative_to_the_config_folder()
    {
        Assert.Equal(
            "/work/project/creds/aws/sso",
            BasePaths.Folders("sso", "creds", "aws", null, Context())[0].Folder);
    }

    [Fact]
    public void A_legacy_folder_that_would_hold_another_layouts_base_folder_is_left_out()
    {
        // Provider "aws" under base_path B: v1.199's B/aws is today's base folder B/aws; deleting it would delete every provider.
        var folders = BasePaths.Folders("aws", "/b", "aws", null, Context());
        Assert.DoesNotContain(folders, f => f.Folder == "/b/aws");
        Assert.Equal("/b/aws/aws", folders[0].Folder);

        // Realm "aws" and provider "aws": the no-realm folder CONFIG/aws/aws is the current base folder.
        var realm = BasePaths.Folders("aws", null, "aws", "aws", Context());
        Assert.Equal(["/home/me/.config/atmos/aws/aws/aws"], realm.Select(f => f.Folder));
    }

    [Fact]
    public void A_mixed_case_name_is_looked_for_in_lower_case_first_and_as_written()
    {
        Assert.Equal(
            ["/home/me/.config/atmos/aws/aws-sso", "/home/me/.config/atmos/aws/AWS-SSO"],
            BasePaths.Folders("AWS-SSO", null, "aws", null, Context()).Select(f => f.Folder));
    }

    [Fact]
    public void The_environment_names_the_realm_atmos_roots_and_every_default_base_folder()
    {
        var run = Run("auth:\n  realm: config-realm\n", ("ATMOS_AUTH_REALM", "acme"), ("ATMOS_XDG_CACHE_HOME", "/cache"), ("XDG_DATA_HOME", "/data"));

        var environment = run.EnvironmentFor("gcp");

        Assert.Equal("acme", environment.Realm);
        Assert.Equal("/home/me/.config/atmos", environment.AtmosConfigHome);
        Assert.Equal("/cache/atmos", environment.AtmosCacheHome);
        Assert.Equal("/data/atmos", environment.AtmosDataHome);
        Assert.Equal(["/home/me/.config/atmos/acme/gcp", "/home/me/.config/atmos/gcp"], environment.DefaultBaseFolders);
        Assert.Equal(environment.DefaultBaseFolders[0], environment.DefaultBaseFolder);
    }

    [Fact]
    public void The_realm_comes_from_the_config_when_the_variable_is_unset_and_the_provider_target_lists_its_folders()
    {
        var run = Run("auth:\n  realm: team-a\n  providers:\n    sso: { kind: aws/iam-identity-center }\n");

        var target = run.ProviderTarget(run.Config.Providers[0], "aws");

        Assert.Equal("team-a", run.Realm.Value);
        Assert.Equal(("/home/me/.config/atmos/team-a/aws", "/home/me/.config/atmos/team-a/aws/sso"), (target.BaseFolder, target.Folder));
        Assert.Equal([FolderLayout.Current, FolderLayout.NoRealm], target.Folders.Select(f => f.Layout));
    }

    [Theory]
    [InlineData("acme", null)]
    [InlineData("a1_b-2", null)]
    [InlineData("Acme", "'A' (upper case)")]
    [InlineData("-acme", "starts or ends with '-' or '_'")]
    [InlineData("acme_", "starts or ends with '-' or '_'")]
    [InlineData("a--b", "consecutive")]
    [InlineData("a_-b", "consecutive")]
    [InlineData("../x", "'.'")]
    [InlineData("a/b", "path separator")]
    public void Realms_follow_atmoss_rules(string realm, string? problem)
    {
        var found = AuthRealm.ProblemWith(realm);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }

        Assert.Equal(problem is null, AuthRealm.IsValid(realm));
        Assert.NotNull(AuthRealm.ProblemWith(new string('a', 65)));
        Assert.Null(AuthRealm.ProblemWith(new string('a', 64)));
    }

    [Fact]
    public void An_invalid_realm_in_the_config_is_an_error_at_its_line_and_column()
    {
        var config = AuthConfigLoader.Parse("auth:\n  realm: Bad_Realm\n", "atmos.yaml");

        var problem = Assert.Single(ConfigValidation.Validate(config, Catalogs.Empty(), Home), p => p.Severity == ProblemSeverity.Error);

        Assert.StartsWith("atmos.yaml:2:10: error: invalid realm value in auth.realm: 'Bad_Realm' contains 'B' (upper case) 'R' (upper case)", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_realm_variable_is_an_error_naming_the_variable()
    {
        var config = AuthConfigLoader.Parse("auth:\n  realm: fine\n", "atmos.yaml");

        var problem = Assert.Single(ConfigValidation.Validate(config, Catalogs.Empty(), Home, new Dictionary<string, string> { ["ATMOS_AUTH_REALM"] = "no__way" }));

        Assert.Equal("error: invalid realm value in the ATMOS_AUTH_REALM environment variable: 'no__way' has consecutive '-' or '_'; separate words with a single '-' or '_'", problem.ToString());
    }
}
