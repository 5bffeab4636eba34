using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// Provider names become folder names: one with path traversal or control characters is refused by validation (exit 2,
/// the name shown escaped on one line), and a logout fails that provider's step (and its identities') while it logs
/// out the rest, never touching anything outside the atmos folders. Identity names are keys and section names only:
/// atmos keeps <c>/</c> and <c>.</c> in them, so only control characters, white space at the ends and emptiness are
/// refused. The same names given on the command line only ever match configured names.
/// </summary>
public sealed class NameTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    // YAML double-quoted names, as they would be written, and what validation says about them (null: a valid name).
    public static TheoryData<string, string, string?> BadNames()
    {
        var data = new TheoryData<string, string, string?>();
        (string Yaml, string Problem, bool ValidIdentity)[] names =
        [
            ("../escape", "contains a path separator", true),
            ("..", "contains '..'", true),
            ("a..b", "contains '..'", true),
            ("a/b", "contains a path separator", true),
            ("a\\\\b", "contains a path separator", true),
            ("/abs", "contains a path separator", true),
            (".hidden", "starts with '.'", true),
            ("nul\\0byte", "contains a NUL byte", false),
            ("bell\\a", "contains a control character", false),
            ("new\\nline", "contains a control character", false),
            ("esc\\e[2J", "contains a control character", false),
            ("del\\x7f", "contains a control character", false),
            (" lead", "has leading or trailing white space", false),
            ("", "is empty", false),
        ];
        foreach (var (yaml, problem, validIdentity) in names)
        {
            data.Add("provider", yaml, problem);
            data.Add("identity", yaml, validIdentity ? null : problem.Replace("contains a NUL byte", "contains a control character", StringComparison.Ordinal));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_bad_name_in_atmos_yaml_blocks_only_its_entry_and_nothing_outside_the_atmos_folders_is_touched(string role, string yamlName, string? problem)
    {
        var entry = role == "provider"
            ? $"\n  providers:\n    \"{yamlName}\":\n      kind: aws/saml\n      region: us-east-1\n"
            : $"\n  identities:\n    \"{yamlName}\":\n      kind: aws/user\n";
        var yaml = AwsTree.Config.Replace(role == "provider" ? "\n  providers:\n" : "\n  identities:\n", entry, StringComparison.Ordinal);
        File.WriteAllText(_tree.Config, yaml);
        // Where a name used as a path segment would lead: none of these may change.
        string[] bystanders = [".config/atmos/escape/credentials", ".config/escape/credentials", "escape/credentials", ".config/atmos/aws/.hidden/credentials", ".config/atmos/aws/a..b/credentials"];
        foreach (var bystander in bystanders)
        {
            _tree.Home.Write(bystander, "[x]\nk = v\n");
        }

        var validate = await _tree.Cli.RunBounded("auth", "validate", "--config", _tree.Config);
        var logout = await _tree.Cli.RunBounded("auth", "logout", "--all", "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(validate, yaml, errorStart: "✗ ");
        CliChecks.AssertCleanOutcome(logout, yaml);
        Assert.Equal(0, logout.ExitCode);
        Assert.All(bystanders, b => Assert.Equal("[x]\nk = v\n", File.ReadAllText(_tree.Home.PathOf(b))));
        if (problem is null)
        {
            Assert.DoesNotContain(validate.Lines, l => l.Contains($"{role} '", StringComparison.Ordinal) && l.Contains(": error:", StringComparison.Ordinal));
            Assert.DoesNotContain(logout.Lines, l => l.StartsWith("✗ Config:", StringComparison.Ordinal));
            return;
        }

        Assert.Equal(2, validate.ExitCode);
        Assert.Single(validate.Lines, l => l.Contains($": error: {role} '", StringComparison.Ordinal) && l.Contains($"name {problem}", StringComparison.Ordinal));
        Assert.Single(logout.Lines, l => l.StartsWith("✗ Config: ", StringComparison.Ordinal));
        Assert.Contains(logout.Lines, l => l.Contains("not logged out: ", StringComparison.Ordinal) && l.Contains($"name {problem}", StringComparison.Ordinal));
        Assert.StartsWith("Logged out with warnings", logout.Lines.Single(l => l.StartsWith("Logged out", StringComparison.Ordinal)), StringComparison.Ordinal);
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
