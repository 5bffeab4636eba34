using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

public sealed class ValidateCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task A_valid_config_exits_0()
    {
        var result = await new CliRun(_home).RunAsync("auth", "validate", "--config", AwsTree.Seed(_home));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Config: ~/project/atmos.yaml", "✓ ~/project/atmos.yaml is valid: 3 providers, 10 identities"], result.Lines);
    }

    [Fact]
    public async Task Every_problem_is_printed_with_its_location_and_the_exit_code_is_2()
    {
        var config = _home.Write("atmos.yaml", """
            auth:
              providers:
                sso:
                  kind: aws/iam-identity-center
                  start_url: http://not-https
                weird:
                  kind: aws/nope
              identities:
                admin:
                  kind: aws/permission-set
                  via: { provider: ssso }
            """);

        var result = await new CliRun(_home).RunAsync("auth", "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "Config: ~/atmos.yaml",
                "~/atmos.yaml:6:5: error: provider 'weird': unknown kind 'aws/nope'; use one of aws/iam-identity-center, aws/saml, azure/cli, azure/device-code, azure/interactive, azure/oidc, gcp/adc, gcp/workload-identity-federation",
                "~/atmos.yaml:9:5: error: identity 'admin': via.provider 'ssso' is not defined under auth.providers; define it or fix the name",
                "~/atmos.yaml:3:5: error: provider 'sso' (aws/iam-identity-center) has no region; add region: e.g. us-east-1",
                "~/atmos.yaml:3:5: error: provider 'sso': start_url 'http://not-https' is not an https:// URL",
                "~/atmos.yaml:9:5: error: identity 'admin' needs principal.name (the permission set, e.g. AdminAccess)",
                "~/atmos.yaml:9:5: error: identity 'admin' needs principal.account.name or principal.account.id",
                "✗ ~/atmos.yaml: 6 errors",
            ],
            result.Lines);
    }

    [Fact]
    public async Task A_missing_config_file_is_one_clear_error()
    {
        var result = await new CliRun(_home).RunAsync("auth", "validate", "--config", "nope.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --config nope.yaml does not exist; pass the path of an existing atmos.yaml", result.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_with_an_invalid_config_exits_2_and_changes_nothing()
    {
        var config = _home.Write("atmos.yaml", "auth:\n  identities:\n    \"../escape\":\n      kind: aws/user\n");
        _home.Write(".config/atmos/aws/aws-user/credentials", "[x]\nk = v\n");
        var before = TempHome.Fingerprint(_home.Home);

        var result = await new CliRun(_home).RunAsync("auth", "logout", "--all", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: invalid configuration: ~/atmos.yaml:3:5: error: identity '../escape': name contains a path separator", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }
}
