using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Config;

/// <summary>Which files a run reads, and what it says when a path given explicitly is wrong (never a silent fallback).</summary>
public sealed class ConfigDiscoveryTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private ConfigRequest Request(string workingDirectory, Dictionary<string, string>? environment = null) => new()
    {
        Environment = environment ?? new Dictionary<string, string> { ["HOME"] = _home.Home },
        WorkingDirectory = workingDirectory,
        Home = _home.Home,
        Display = p => p.Replace(_home.Home, "~", StringComparison.Ordinal),
    };

    private const string Minimal = "auth:\n  providers:\n    p: { kind: aws/iam-identity-center }\n";

    [Theory]
    [InlineData("nope.yaml", "--config nope.yaml does not exist; pass the path of an existing atmos.yaml")]
    [InlineData("project", "--config project is a folder; pass the atmos.yaml file itself, or use --config-path for a folder")]
    public void A_config_file_that_does_not_exist_is_an_error_not_a_fallback(string given, string expected)
    {
        var project = Path.GetDirectoryName(_home.Write("project/atmos.yaml", Minimal))!;

        var config = ConfigLoader.Load(Request(_home.Home) with { ConfigFiles = [given] });

        Assert.Equal($"error: {expected}", Assert.Single(config.Problems).ToString());
        Assert.Empty(config.Providers);
        Assert.Empty(config.Files);
        Assert.True(Directory.Exists(project));
    }

    [Theory]
    [InlineData("nowhere", "--config-path nowhere does not exist; pass the folder holding atmos.yaml")]
    [InlineData("project/atmos.yaml", "--config-path project/atmos.yaml is a file; pass the folder holding atmos.yaml, or use --config for a file")]
    [InlineData("empty", "--config-path empty holds no atmos.yaml, atmos.yml or .atmos.yaml; pass the folder holding atmos.yaml")]
    public void A_config_path_that_is_not_a_folder_with_a_config_is_an_error(string given, string expected)
    {
        _home.Write("project/atmos.yaml", Minimal);
        Directory.CreateDirectory(_home.PathOf("empty"));

        var config = ConfigLoader.Load(Request(_home.Home) with { ConfigPaths = [given] });

        Assert.Equal($"error: {expected}", Assert.Single(config.Problems).ToString());
        Assert.Empty(config.Providers);
    }

    [Fact]
    public void A_config_path_folder_with_only_dot_atmos_yaml_is_read()
    {
        var file = _home.Write("team/.atmos.yaml", Minimal);

        var config = ConfigLoader.Load(Request(_home.Home) with { ConfigPaths = [_home.PathOf("team")] });

        Assert.Empty(config.Problems);
        Assert.Equal([file], config.Files);
    }

    [Theory]
    [InlineData("nowhere", "ATMOS_CLI_CONFIG_PATH=nowhere: ~/nowhere does not exist; point it at the folder holding atmos.yaml, or unset it")]
    [InlineData("empty", "ATMOS_CLI_CONFIG_PATH=empty: ~/empty holds no atmos.yaml or atmos.yml; point it at the folder holding atmos.yaml, or unset it")]
    public void An_ATMOS_CLI_CONFIG_PATH_without_a_config_is_an_error(string value, string expected)
    {
        _home.Write("project/atmos.yaml", Minimal);
        Directory.CreateDirectory(_home.PathOf("empty"));

        var config = ConfigLoader.Load(Request(_home.Home, new() { ["HOME"] = _home.Home, ["ATMOS_CLI_CONFIG_PATH"] = value }));

        Assert.Equal($"error: {expected}", Assert.Single(config.Problems).ToString());
    }

    [Fact]
    public void ATMOS_CLI_CONFIG_PATH_may_name_the_file_itself()
    {
        var file = _home.Write("shared/custom.yaml", Minimal);

        var config = ConfigLoader.Load(Request(_home.Home, new() { ["HOME"] = _home.Home, ["ATMOS_CLI_CONFIG_PATH"] = file }));

        Assert.Empty(config.Problems);
        Assert.Equal([file], config.Files);
    }

    [Fact]
    public void ATMOS_CONFIG_and_ATMOS_CONFIG_PATH_stand_in_for_the_flags()
    {
        var a = _home.Write("a.yaml", Minimal);
        var b = _home.Write("b/atmos.yaml", "auth:\n  providers:\n    q: { kind: aws/iam-identity-center }\n");
        _home.Write("project/atmos.yaml", "auth:\n  providers:\n    never: { kind: aws/iam-identity-center }\n");

        var config = ConfigLoader.Load(Request(_home.PathOf("project"), new() { ["HOME"] = _home.Home, ["ATMOS_CONFIG"] = a, ["ATMOS_CONFIG_PATH"] = Path.GetDirectoryName(b)! }));

        Assert.Equal([a, b], config.Files);
        Assert.Equal(["p", "q"], config.Providers.Select(p => p.Name));
    }

    [Fact]
    public void Nothing_found_is_an_error_naming_every_place_looked_in()
    {
        Directory.CreateDirectory(_home.PathOf("empty"));

        var config = ConfigLoader.Load(Request(_home.PathOf("empty")) with { SystemFolder = _home.PathOf("system") });

        var problem = Assert.Single(config.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith("error: no atmos.yaml found (looked in ~/system/atmos.yaml, ~/.atmos/atmos.yaml, ", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("~/empty/atmos.yaml", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("pass --config FILE or --config-path DIR, or set ATMOS_CLI_CONFIG_PATH to the folder holding it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_git_root_is_not_read_with_ATMOS_GIT_ROOT_BASEPATH_false_but_the_nearest_parent_still_is()
    {
        var rootConfig = _home.Write("repo/atmos.yaml", Minimal);
        Directory.CreateDirectory(_home.PathOf("repo/.git"));
        var parentConfig = _home.Write("repo/stacks/atmos.yaml", "auth:\n  providers:\n    q: { kind: aws/iam-identity-center }\n");
        Directory.CreateDirectory(_home.PathOf("repo/stacks/deploy"));

        var withGitRoot = ConfigLoader.Load(Request(_home.PathOf("repo/stacks/deploy")));
        var without = ConfigLoader.Load(Request(_home.PathOf("repo/stacks/deploy"), new() { ["HOME"] = _home.Home, ["ATMOS_GIT_ROOT_BASEPATH"] = "false" }));

        Assert.Equal([parentConfig, rootConfig], withGitRoot.Files);
        Assert.Equal([parentConfig], without.Files);
    }

    [Fact]
    public void A_linked_worktree_is_a_git_root_too()
    {
        var main = _home.PathOf("main-repo/.git/worktrees/feature");
        Directory.CreateDirectory(main);
        File.WriteAllText(Path.Join(main, "HEAD"), "ref: refs/heads/feature\n");
        File.WriteAllText(Path.Join(main, "commondir"), "../..\n");
        var config = _home.Write("feature/atmos.yaml", Minimal);
        File.WriteAllText(_home.PathOf("feature/.git"), $"gitdir: {main}\n");
        Directory.CreateDirectory(_home.PathOf("feature/components/vpc"));

        var git = GitRepository.Find(_home.PathOf("feature/components/vpc"));

        Assert.Equal(_home.PathOf("feature"), git?.Root);
        Assert.Equal("feature", git!.Branch(out _));
        Assert.Equal([config], ConfigLoader.Load(Request(_home.PathOf("feature/components/vpc"))).Files);
    }

    [Theory]
    [InlineData("https://github.com/acme/infra.git", "github.com", "acme", "infra")]
    [InlineData("git@gitlab.example.com:group/sub.git", "gitlab.example.com", "group", "sub")]
    [InlineData("ssh://git@bitbucket.org/team/repo", "bitbucket.org", "team", "repo")]
    public void Remote_urls_give_host_owner_and_name(string url, string host, string owner, string name) =>
        Assert.Equal((host, owner, name), GitRepository.ParseRemote(url));

    [Fact]
    public void Globs_match_as_doublestar_and_yaml_wins_over_yml()
    {
        foreach (var file in new[] { "c/a.yaml", "c/a.yml", "c/b.yml", "c/deep/x/d.yaml", "c/.hidden.yaml", "c/e.txt", "c/f1.yaml", "c/f2.yaml" })
        {
            _home.Write(file, "x: 1\n");
        }

        string P(string relative) => _home.PathOf(relative);
        Assert.Equal([P("c/.hidden.yaml"), P("c/a.yaml"), P("c/b.yml"), P("c/f1.yaml"), P("c/f2.yaml"), P("c/deep/x/d.yaml")], ConfigGlob.Search(P("c")));
        Assert.Equal([P("c/a.yaml"), P("c/b.yml")], ConfigGlob.Search(P("c/{a,b}")));
        Assert.Equal([P("c/f1.yaml"), P("c/f2.yaml")], ConfigGlob.Search(P("c/f[0-9].yaml")));
        Assert.Equal([P("c/f2.yaml")], ConfigGlob.Search(P("c/f[!1].yaml")));
        Assert.Equal([P("c/f1.yaml"), P("c/f2.yaml")], ConfigGlob.Search(P("c/f?.yaml")));
        Assert.Equal([P("c/deep/x/d.yaml")], ConfigGlob.Search(P("c/**/d.yaml")));
        Assert.Equal([P("c/a.yaml")], ConfigGlob.Search(P("c/a")));
        Assert.Empty(ConfigGlob.Search(P("c/nothing/*.yaml")));
    }

    [Fact]
    public void Keys_of_different_files_merge_ignoring_case_and_the_later_file_names_the_entry()
    {
        _home.Write("project/.atmos.d/providers.yaml", "auth:\n  providers:\n    AWS-SSO:\n      kind: aws/iam-identity-center\n      Region: us-east-1\n");
        _home.Write("project/atmos.yaml", "auth:\n  providers:\n    aws-sso:\n      region: eu-west-1\n");

        var config = ConfigLoader.Load(Request(_home.PathOf("project")));

        Assert.Empty(config.Problems);
        var provider = Assert.Single(config.Providers);
        Assert.Equal(("aws-sso", "aws/iam-identity-center", "eu-west-1"), (provider.Name, provider.Kind, provider.Settings.GetString("region")));
        Assert.Equal(new SourceLocation("~/project/atmos.yaml", 3, 5), provider.Location);
    }
}
