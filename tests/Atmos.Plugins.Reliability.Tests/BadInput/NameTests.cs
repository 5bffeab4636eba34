using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// Provider and identity names with path traversal or control characters are refused by validation (exit 2, the name
/// shown escaped on one line) and nothing on disk is touched; the same names given on the command line only ever
/// match configured names.
/// </summary>
public sealed class NameTests : IDisposable
{
    private readonly SeededHome _tree = new();

    public void Dispose() => _tree.Dispose();

    // YAML double-quoted names, as they would be written, and what validation says about them.
    public static TheoryData<string, string, string> BadNames()
    {
        var data = new TheoryData<string, string, string>();
        (string Yaml, string Problem)[] names =
        [
            ("../escape", "contains a path separator"),
            ("..", "contains '..'"),
            ("a..b", "contains '..'"),
            ("a/b", "contains a path separator"),
            ("a\\\\b", "contains a path separator"),
            ("/abs", "contains a path separator"),
            (".hidden", "starts with '.'"),
            ("nul\\0byte", "contains a NUL byte"),
            ("bell\\a", "contains a control character"),
            ("new\\nline", "contains a control character"),
            ("esc\\e[2J", "contains a control character"),
            ("del\\x7f", "contains a control character"),
            (" lead", "has leading or trailing white space"),
            ("", "is empty"),
        ];
        foreach (var (yaml, problem) in names)
        {
            data.Add("provider", yaml, problem);
            data.Add("identity", yaml, problem);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_bad_name_in_atmos_yaml_is_refused_and_nothing_is_touched(string role, string yamlName, string problem)
    {
        var entry = role == "provider"
            ? $"\n  providers:\n    \"{yamlName}\":\n      kind: aws/saml\n      region: us-east-1\n"
            : $"\n  identities:\n    \"{yamlName}\":\n      kind: aws/user\n";
        var yaml = AwsTree.Config.Replace(role == "provider" ? "\n  providers:\n" : "\n  identities:\n", entry, StringComparison.Ordinal);
        File.WriteAllText(_tree.Config, yaml);
        var before = TempHome.Fingerprint(_tree.Home.Home);

        var validate = await _tree.Cli.RunBounded("auth", "validate", "--config", _tree.Config);
        var logout = await _tree.Cli.RunBounded("auth", "logout", "--all", "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(validate, yaml, errorStart: "✗ ");
        CliChecks.AssertCleanOutcome(logout, yaml);
        Assert.Equal(2, validate.ExitCode);
        Assert.Equal(2, logout.ExitCode);
        Assert.Single(validate.Lines, l => l.Contains($": error: {role} '", StringComparison.Ordinal) && l.Contains($"name {problem}", StringComparison.Ordinal));
        Assert.StartsWith("Error: invalid configuration", logout.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_tree.Home.Home));
        Assert.Equal(6, await _tree.KeyringCount());
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("aws-sso/../backup-provider")]
    [InlineData("..")]
    [InlineData("/")]
    [InlineData("dev-admin\n")]
    [InlineData("dev-admin\u001b[2J")]
    [InlineData("dev-admin\0")]
    [InlineData("*")]
    public async Task A_bad_name_on_the_command_line_matches_nothing_and_touches_nothing(string name)
    {
        // The whole temp folder but the audit trail's state folder: a rejected run is audited too.
        var before = TempHome.Fingerprint(_tree.Home.Root, "state");

        foreach (string[] args in new[] { new[] { name }, ["-i", name], ["--identity", name], ["--provider", name] })
        {
            var result = await _tree.Cli.RunBounded(["auth", "logout", .. args, "--config", _tree.Config]);

            CliChecks.AssertCleanOutcome(result, string.Join(' ', args));
            Assert.Equal(2, result.ExitCode);
            Assert.Matches("^Error: (identity|provider) .* not found in configuration$", result.Lines[0]);
        }

        Assert.Equal(before, TempHome.Fingerprint(_tree.Home.Root, "state"));
        Assert.Equal(6, await _tree.KeyringCount());
    }
}
