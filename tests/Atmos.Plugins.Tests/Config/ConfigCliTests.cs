using System.CommandLine;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Host.Cli;
using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Atmos.Plugins.Tests.Config;

/// <summary>The config flags, --tags, completion and validation through the real CLI, in-process.</summary>
public sealed class ConfigCliTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;

    public ConfigCliTests()
    {
        _cli = new CliRun(_home) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };
        _cli.WorkingDirectory = _home.PathOf("project");
        Directory.CreateDirectory(_cli.WorkingDirectory);
    }

    public void Dispose() => _home.Dispose();

    private const string Tagged = """
        auth:
          providers:
            aws-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://acme.awsapps.com/start
              tags: [ci]
            okta-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://okta.awsapps.com/start
          identities:
            dev-admin:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: Admin, account: { name: dev } }
            analyst:
              kind: aws/permission-set
              via: { provider: okta-sso }
              principal: { name: Analyst, account: { name: data } }
              tags: "ci, analytics"
        """;

    private List<string> Complete(string line)
    {
        using var output = new StringWriter();
        return AtmosCli.Root(_cli.Host(output, output)).Parse(line).GetCompletions().Select(c => c.Label).Where(l => !l.StartsWith('-') && !l.StartsWith('/')).ToList();
    }

    [Fact]
    public async Task Exec_runs_for_a_command_that_needs_the_values_but_never_for_help_or_completion()
    {
        var marker = _home.PathOf("exec-ran");
        _home.Write("project/atmos.yaml", Tagged.Replace("region: us-east-1\n      start_url: https://acme", $"region: !exec touch {marker} && echo us-east-1\n      start_url: https://acme", StringComparison.Ordinal) + "\n");

        Assert.Equal(0, (await _cli.RunAsync("auth", "logout", "--help")).ExitCode);
        Assert.Equal(["analyst", "dev-admin"], Complete("auth logout "));
        Assert.Equal(["ci"], Complete("auth logout --tags c"));
        Assert.False(File.Exists(marker));

        await _cli.RunAsync("auth", "validate");
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public async Task Validate_reports_problems_in_imported_files_and_profiles_at_their_own_file_line_and_column()
    {
        _home.Write("project/atmos.yaml", "base_path: ./\nimport: [auth/providers.yaml]\n");
        _home.Write("project/auth/providers.yaml", "auth:\n  providers:\n    aws-sso:\n      kind: aws/nope\n");
        _home.Write("project/profiles/ci/identities.yaml", "auth:\n  identities:\n    ci:\n      kind: aws/permission-set\n      via: { provider: missing-sso }\n");

        var result = await _cli.RunAsync("auth", "validate", "--profile", "ci");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Config: ~/project/atmos.yaml, ~/project/auth/providers.yaml, ~/project/profiles/ci/identities.yaml", result.Lines[0]);
        Assert.Contains(result.Lines, l => l.StartsWith("~/project/auth/providers.yaml:3:5: warning: provider 'aws-sso': no plugin owns kind 'aws/nope'", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("~/project/profiles/ci/identities.yaml:3:5: error: identity 'ci': via.provider 'missing-sso' is not defined", StringComparison.Ordinal));
        Assert.StartsWith("✗ ~/project/atmos.yaml (with 2 more files): ", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_config_flags_merge_in_order_and_replace_discovery()
    {
        _home.Write("project/atmos.yaml", "auth:\n  providers:\n    never: { kind: aws/iam-identity-center }\n");
        var a = _home.Write("a.yaml", "auth:\n  providers:\n    a-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: https://a.awsapps.com/start }\n");
        var b = _home.Write("b.yaml", "auth:\n  providers:\n    b-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: https://b.awsapps.com/start }\n");

        var result = await _cli.RunAsync("auth", "status", "--config", a, "--config", b, "--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"\"config_files\": [\n    \"{a}\",\n    \"{b}\"\n  ]", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["a-sso", "b-sso"], Complete($"auth logout --config {a},{b} --provider "));
    }

    [Theory]
    [InlineData("dev-admin --tags ci")]
    [InlineData("--provider aws-sso --tags ci")]
    [InlineData("--all --tags ci")]
    [InlineData("--identity --tags ci")]
    public async Task Tags_cannot_be_combined_with_another_target(string line)
    {
        _home.Write("project/atmos.yaml", Tagged + "\n");

        var result = await _cli.RunAsync(["auth", "logout", .. line.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Error: --tags cannot be combined with an identity, --provider, --all or --all-realms; use one way to choose what to log out", result.Lines[0]);
    }

    [Fact]
    public async Task Tags_that_match_nothing_list_the_tags_there_are()
    {
        _home.Write("project/atmos.yaml", Tagged + "\n");

        var result = await _cli.RunAsync("auth", "logout", "--tags", "prod,Production", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            ["Error: no provider or identity has any of the tags prod, Production", string.Empty, "Available tags:", "• analytics", "• ci", string.Empty, "Searched: ~/project/atmos.yaml", string.Empty, "Tags match exactly; pass one of these to --tags."],
            result.Lines);
    }

    [Fact]
    public async Task A_tags_dry_run_plans_the_tagged_provider_whole_and_the_tagged_identity()
    {
        _home.Write("project/atmos.yaml", Tagged + "\n");
        await _cli.Keyring.SetAsync("aws-sso", "{\"type\":\"aws\",\"data\":{\"access_token\":\"SECRET-1\"}}", CancellationToken.None);
        await _cli.Keyring.SetAsync("analyst", "{\"type\":\"aws\",\"data\":{\"session_token\":\"SECRET-2\"}}", CancellationToken.None);
        await _cli.Keyring.SetAsync("okta-sso", "{\"type\":\"aws\",\"data\":{\"access_token\":\"SECRET-3\"}}", CancellationToken.None);

        var result = await _cli.RunAsync("auth", "logout", "--tags", "analytics,ci", "--dry-run", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"scope\": \"tags\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"target\": \"analytics,ci\"", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            ["Dry run mode: No credentials will be removed", "Would remove from everything tagged: analytics, ci", "• Keyring: aws-sso", "• Keyring: okta-sso", "• Keyring: analyst (via okta-sso)", "3 identities would be logged out"],
            result.Lines);
    }

    [Fact]
    public void The_picker_offers_each_tag_with_what_it_reaches()
    {
        var config = AuthConfigLoader.Parse(Tagged, "atmos.yaml");

        Assert.Equal(
            ["Identity: analyst", "Identity: dev-admin", "Provider: aws-sso (removes all identities)", "Provider: okta-sso (removes all identities)", "Tag: analytics (1 identity)", "Tag: ci (1 provider, 1 identity)", "All identities (complete logout)", "All realms (everything atmos left on this machine)"],
            PickChoices.Of(config).Select(c => c.Label));
        Assert.Equal((ScopeKind.Tags, "ci"), PickChoices.Of(config).Where(c => c.Label.StartsWith("Tag: ci", StringComparison.Ordinal)).Select(c => (c.Scope, c.Target)).Single());
    }

    [Fact]
    public void Profiles_complete_from_atmos_profile_folders()
    {
        _home.Write("project/atmos.yaml", Tagged + "\n");
        _home.Write("project/profiles/ci/a.yaml", "auth: {}\n");
        _home.Write("project/.atmos/profiles/dev/a.yaml", "auth: {}\n");
        _home.Write(".config/atmos/profiles/personal/a.yaml", "auth: {}\n");

        Assert.Equal(["ci", "dev", "personal"], Complete("auth logout --profile "));
        Assert.Equal(["analyst", "dev-admin"], Complete("auth logout --profile ci "));
    }

    [Fact]
    public void An_identity_provisioned_by_atmos_is_found_by_its_name_with_slashes()
    {
        _home.Write("project/atmos.yaml", Tagged + "\n");
        _home.Write(".cache/atmos/auth/aws-sso/provisioned-identities.yaml", "auth:\n  _metadata: { provider: aws-sso }\n  identities:\n    core-root/readonly:\n      kind: aws/permission-set\n      provider: aws-sso\n      via: { provider: aws-sso }\n");

        var config = ConfigLoader.Load(new ConfigRequest { Environment = new Dictionary<string, string> { ["HOME"] = _home.Home }, WorkingDirectory = _home.PathOf("project"), Home = _home.Home });
        var (target, rejection) = TargetResolver.Resolve(config, ScopeKind.Identity, "core-root/readonly", "hint");

        Assert.Null(rejection);
        Assert.Equal(("core-root/readonly", "aws-sso"), (target!.Identity!.Name, target.Identity.ViaProvider));
        Assert.Empty(config.Problems);
        Assert.Equal(_home.PathOf(".cache/atmos/auth/aws-sso/provisioned-identities.yaml"), config.Files[^1]);
    }
}
