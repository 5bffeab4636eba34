using Atmos.Plugins.Engine.Config;

namespace Atmos.Plugins.Tests.Config;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Reads_the_reference_configuration_with_locations()
    {
        var config = AuthConfigLoader.Parse("""
            auth:
              providers:
                aws-sso:
                  kind: aws/iam-identity-center
                  region: us-east-1
                  start_url: https://mycompany.awsapps.com/start
                  spec:
                    files:
                      base_path: ~/.custom/aws/credentials
              identities:
                dev-admin:
                  kind: aws/permission-set
                  via:
                    provider: aws-sso
                  principal:
                    name: AdminAccess
                    account:
                      name: "dev-account"
            """, "atmos.yaml");

        Assert.Empty(config.Problems);
        var provider = Assert.Single(config.Providers);
        Assert.Equal(("aws-sso", "aws/iam-identity-center", "~/.custom/aws/credentials"), (provider.Name, provider.Kind, provider.BasePath));
        Assert.Equal("https://mycompany.awsapps.com/start", provider.Settings.GetString("start_url"));
        Assert.Equal(new SourceLocation("atmos.yaml", 3, 5), provider.Location);
        var identity = Assert.Single(config.Identities);
        Assert.Equal(("dev-admin", "aws-sso", (string?)null), (identity.Name, identity.ViaProvider, identity.ViaIdentity));
        Assert.Equal("dev-account", identity.Settings.GetString("principal.account.name"));
        Assert.Equal(new SourceLocation("atmos.yaml", 11, 5), identity.Location);
    }

    [Fact]
    public void Ignores_other_top_level_keys_and_warns_about_unknown_auth_keys()
    {
        var config = AuthConfigLoader.Parse("components: {}\nauth:\n  providerz: {}\n", "atmos.yaml");

        var problem = Assert.Single(config.Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.StartsWith("atmos.yaml:3:3: warning: unknown key auth.providerz is ignored", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auth:\n  providers:\n    p: [1\n", "invalid YAML")]
    [InlineData("auth:\n  providers:\n    p:\n      kind: a\n    p:\n      kind: b\n", "invalid YAML")]
    [InlineData("auth:\n  identities:\n    dev-admin: { kind: aws/user\n  providers: [\n", "invalid YAML: the parser cannot continue here")]
    [InlineData("auth: [1, 2]\n", "auth must be a mapping")]
    [InlineData("auth:\n  providers:\n    p: just-a-string\n", "auth.providers.p must be a mapping")]
    [InlineData("auth:\n  identities:\n    i:\n      via: {provider: p}\n", "identity 'i' has no kind")]
    [InlineData("auth:\n  identities:\n    i:\n      kind: [x]\n", "identity 'i' has no kind")]
    [InlineData("auth:\n  keyring:\n    type: vault\n", "auth.keyring.type 'vault' is not supported")]
    [InlineData("auth:\n  keyring:\n    timeout: soon\n", "auth.keyring.timeout 'soon' is not a duration")]
    [InlineData("auth:\n  audit:\n    enabled: maybe\n", "auth.audit.enabled 'maybe' must be true or false")]
    [InlineData("...\ne", "invalid YAML: the parser cannot continue here")] // YamlDotNet throws InvalidOperationException here
    public void Bad_input_is_one_line_error_with_a_location(string yaml, string expected)
    {
        var config = AuthConfigLoader.Parse(yaml, "atmos.yaml");

        var error = Assert.Single(config.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Location);
        Assert.DoesNotContain('\n', error.ToString());
    }

    [Fact]
    public void Refuses_deep_nesting_before_building_a_tree()
    {
        var yaml = "auth:\n  providers:\n    p:\n      kind: k\n      x: " + new string('[', 5000) + new string(']', 5000) + "\n";

        var error = Assert.Single(AuthConfigLoader.Parse(yaml, "atmos.yaml").Problems);
        Assert.Contains("nesting is deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_alias_bombs()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        lines.Add("auth:\n  providers:\n    p:\n      kind: k\n      bomb: *a8");
        var error = Assert.Single(AuthConfigLoader.Parse(string.Join("\n", lines), "atmos.yaml").Problems);
        Assert.Contains("alias expansion", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auth:\n  providers: &x\n    p:\n      kind: k\n      self: *x\n", "alias *x refers to an anchor that is not defined before it or that contains it")]
    [InlineData("auth:\n  providers:\n    p: &x\n      kind: k\n      self: [*x]\n", "alias *x refers to an anchor that is not defined before it or that contains it")]
    [InlineData("a: *x\nb: &x 1\nauth: {}\n", "alias *x refers to an anchor that is not defined before it")]
    [InlineData("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\na1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\na2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\na3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\na4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\na5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\nauth:\n  providers:\n    ? *a5\n    : x\n", "alias expansion")]
    public void Refuses_alias_cycles_and_bombs_used_as_keys_before_loading(string yaml, string expected)
    {
        // Each of these used to overflow the stack (a cycle) or hang hashing a huge key while loading.
        var error = Assert.Single(AuthConfigLoader.Parse(yaml, "atmos.yaml").Problems);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_a_warning_not_a_crash()
    {
        var problem = Assert.Single(AuthConfigLoader.Parse(string.Empty, "atmos.yaml").Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
    }

    [Fact]
    public void Durations_parse_the_documented_forms()
    {
        Assert.True(Durations.TryParse("3s", out var s));
        Assert.Equal(TimeSpan.FromSeconds(3), s);
        Assert.True(Durations.TryParse("500ms", out var ms));
        Assert.Equal(TimeSpan.FromMilliseconds(500), ms);
        Assert.True(Durations.TryParse("2m", out var m));
        Assert.Equal(TimeSpan.FromMinutes(2), m);
        Assert.True(Durations.TryParse("1.5", out var plain));
        Assert.Equal(TimeSpan.FromSeconds(1.5), plain);
        Assert.False(Durations.TryParse("-1s", out _));
        Assert.False(Durations.TryParse("soon", out _));
    }
}
