using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Config;

/// <summary>atmos's YAML functions in auth values: results, failures at their file:line:column, and !exec only when needed.</summary>
public sealed class YamlFunctionTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private AuthConfig Load(string yaml, Dictionary<string, string>? environment = null, bool runCommands = true)
    {
        var path = _home.Write("project/atmos.yaml", yaml);
        var variables = environment ?? [];
        variables["HOME"] = _home.Home;
        variables["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return ConfigLoader.Load(new ConfigRequest
        {
            Environment = variables,
            WorkingDirectory = Path.GetDirectoryName(path)!,
            Home = _home.Home,
            RunCommands = runCommands,
            Display = p => p.Replace(_home.Home, "~", StringComparison.Ordinal),
        });
    }

    private static string Provider(string settings) => $"auth:\n  providers:\n    p:\n      kind: aws/iam-identity-center\n{settings}";

    [Fact]
    public void Exec_output_is_the_value_and_json_output_becomes_a_mapping()
    {
        var config = Load(Provider("      region: !exec printf 'eu-central-1\\n\\n'\n      spec: !exec printf '{\"files\":{\"base_path\":\"/from-exec\"}}'\n"));

        Assert.Empty(config.Problems);
        var provider = Assert.Single(config.Providers);
        Assert.Equal("eu-central-1", provider.Settings.GetString("region"));
        Assert.Equal("/from-exec", provider.BasePath);
    }

    [Fact]
    public void A_failing_command_is_an_error_at_the_function_with_its_exit_code_and_first_stderr_line()
    {
        var config = Load(Provider("      region: !exec echo nope >&2; exit 3\n"));

        var problem = Assert.Single(config.Problems);
        Assert.Equal("~/project/atmos.yaml:5:15: error: !exec echo nope >&2; exit 3: the command failed (exit code 3): nope", problem.ToString());
    }

    [Fact]
    public void Exec_does_not_run_when_commands_may_not_run_and_the_value_is_then_unknown_without_an_error()
    {
        var marker = _home.PathOf("ran");
        var config = Load(Provider($"      region: !exec touch {marker}\n"), runCommands: false);

        Assert.False(File.Exists(marker));
        Assert.Empty(config.Problems);
        Assert.Null(Assert.Single(config.Providers).Settings.GetString("region"));
    }

    [Fact]
    public void Exec_outside_the_auth_section_never_runs()
    {
        var marker = _home.PathOf("ran");
        var config = Load($"settings:\n  token: !exec touch {marker}\nenv:\n  GITHUB_TOKEN: !exec touch {marker}\n" + Provider(string.Empty));

        Assert.False(File.Exists(marker));
        Assert.Single(config.Providers);
    }

    [Fact]
    public void An_anchored_exec_used_twice_runs_once()
    {
        var counter = _home.PathOf("count");
        var config = Load($"x: &r !exec sh -c 'echo x >> {counter}; echo us-east-1'\n" + Provider("      region: *r\n") + "    q:\n      kind: aws/iam-identity-center\n      region: *r\n");

        Assert.Empty(config.Problems);
        Assert.All(config.Providers, p => Assert.Equal("us-east-1", p.Settings.GetString("region")));
        Assert.Single(File.ReadAllLines(counter));
    }

    [Theory]
    [InlineData("!env REGION", "us-east-2")]
    [InlineData("!env UNSET_VARIABLE fallback", "fallback")]
    [InlineData("!env UNSET_VARIABLE 'two words'", "two words")]
    [InlineData("!env EMPTY default-ignored", "")]
    public void Env_reads_the_variable_or_its_default(string function, string expected)
    {
        var config = Load(Provider($"      region: {function}\n"), new Dictionary<string, string> { ["REGION"] = " us-east-2 ", ["EMPTY"] = string.Empty });

        Assert.Empty(config.Problems);
        Assert.Equal(expected.Length == 0 ? null : expected, Assert.Single(config.Providers).Settings.GetString("region"));
    }

    [Theory]
    [InlineData("!env", "takes a variable name")]
    [InlineData("!env A B C", "takes a variable name")]
    [InlineData("!env NAME 'unclosed", "unterminated quoted value")]
    [InlineData("!random ten", "takes integers")]
    [InlineData("!random 9 3", "the minimum 9 is above the maximum 3")]
    [InlineData("!store ssm key", "unsupported YAML function in atmos.yaml")]
    [InlineData("!append x", "!append tags a list")]
    [InlineData("!include ./nope.yaml", "no such file")]
    [InlineData("!include https://example.com/x.yaml", "remote files are not fetched")]
    [InlineData("!include vars.yaml .missing", "no key 'missing'")]
    [InlineData("!include vars.yaml ..weird", "is not supported")]
    [InlineData("!repo-root", "not inside a Git repository")]
    [InlineData("!git.sha", "not inside a Git repository")]
    public void A_failing_function_is_one_error_naming_file_line_column_and_function(string function, string expected)
    {
        _home.Write("project/vars.yaml", "region: us-east-1\n");
        var config = Load(Provider($"      region: {function}\n"));

        var problem = Assert.Single(config.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith($"~/project/atmos.yaml:5:15: error: {function.Split(' ')[0]}", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Single(config.Providers);
    }

    [Fact]
    public void Include_reads_by_extension_and_answers_simple_queries()
    {
        _home.Write("project/values/regions.json", "{\"regions\": [\"us-east-1\", \"eu-west-1\"], \"portal\": {\"url\": \"https://acme.awsapps.com/start\"}}");
        _home.Write("project/values/base.env", "# comment\nexport BASE_PATH=\"/from/dotenv\"\nOTHER=x\n");
        _home.Write("project/values/notes.txt", "plain text\n");
        var config = Load(Provider("      region: !include values/regions.json .regions[1]\n      start_url: !include values/regions.json .portal.url\n      notes: !include values/notes.txt\n      raw: !include.raw values/regions.json\n      spec:\n        files:\n          base_path: !include values/base.env .BASE_PATH\n"));

        Assert.Empty(config.Problems);
        var provider = Assert.Single(config.Providers);
        Assert.Equal("eu-west-1", provider.Settings.GetString("region"));
        Assert.Equal("https://acme.awsapps.com/start", provider.Settings.GetString("start_url"));
        Assert.Equal("plain text\n", provider.Settings.GetString("notes"));
        Assert.StartsWith("{\"regions\"", provider.Settings.GetString("raw"), StringComparison.Ordinal);
        Assert.Equal("/from/dotenv", provider.BasePath);
    }

    [Fact]
    public void A_problem_inside_an_included_file_is_reported_at_that_file()
    {
        _home.Write("project/providers.yaml", "p:\n  region: us-east-1\n");
        var config = Load("auth:\n  providers: !include providers.yaml\n");

        var problem = Assert.Single(config.Problems);
        Assert.Equal("~/project/providers.yaml:1:1: error: provider 'p' has no kind; add kind: with one of the kinds the plugins provide", problem.ToString());
    }

    [Fact]
    public void Cwd_and_random_and_git_functions_answer_from_the_working_folder_and_dot_git()
    {
        var root = _home.PathOf("project");
        Directory.CreateDirectory(Path.Join(root, ".git", "refs", "heads"));
        File.WriteAllText(Path.Join(root, ".git", "HEAD"), "ref: refs/heads/feature/x\n");
        File.WriteAllText(Path.Join(root, ".git", "packed-refs"), "# pack-refs with: peeled\n0123456789abcdef0123456789abcdef01234567 refs/heads/feature/x\n");
        File.WriteAllText(Path.Join(root, ".git", "config"), "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/other/repo.git\n[remote \"origin\"]\n\turl = git@github.com:acme/infra.git\n");
        var config = Load(Provider("      a: !cwd\n      b: !cwd sub/dir\n      c: !random 5 5\n      d: !git.sha\n      e: !git.branch\n      f: !git.url\n      g: !git.host\n      h: !git.owner\n      i: !git.name\n      j: !git.repository\n      k: !repo-root\n      l: !git.root\n"));

        Assert.Empty(config.Problems);
        var settings = Assert.Single(config.Providers).Settings;
        Assert.Equal(root, settings.GetString("a"));
        Assert.Equal(Path.Join(root, "sub", "dir"), settings.GetString("b"));
        Assert.Equal("5", settings.GetString("c"));
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", settings.GetString("d"));
        Assert.Equal("feature/x", settings.GetString("e"));
        Assert.Equal("git@github.com:acme/infra.git", settings.GetString("f"));
        Assert.Equal(("github.com", "acme", "infra", "acme/infra"), (settings.GetString("g"), settings.GetString("h"), settings.GetString("i"), settings.GetString("j")));
        Assert.Equal(root, settings.GetString("k"));
        Assert.Equal(root, settings.GetString("l"));
    }

    [Fact]
    public void Git_functions_outside_a_repository_use_their_default()
    {
        var config = Load(Provider("      a: !git.branch main\n      b: !repo-root /fallback\n"));

        Assert.Empty(config.Problems);
        var settings = Assert.Single(config.Providers).Settings;
        Assert.Equal(("main", "/fallback"), (settings.GetString("a"), settings.GetString("b")));
    }

    [Fact]
    public void A_kind_whose_function_failed_is_not_reported_a_second_time_as_missing()
    {
        var config = Load(Provider(string.Empty).Replace("kind: aws/iam-identity-center", "kind: !env NO_SUCH_KIND", StringComparison.Ordinal));

        var problem = Assert.Single(config.Problems);
        Assert.Contains("!env NO_SUCH_KIND", problem.Message, StringComparison.Ordinal);
        Assert.Empty(config.Providers);
    }
}
