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
                "~/atmos.yaml:6:5: warning: provider 'weird': no plugin owns kind 'aws/nope' (a newer atmos's kind, or a plugin that is not installed); its files are not looked for and its keyring entries are kept unless --keychain; known provider kinds: atmos/pro, aws/iam-identity-center, aws/saml, azure/cli, azure/device-code, azure/interactive, azure/oidc, gcp/adc, gcp/workload-identity-federation, github/oidc, mock, mock/aws",
                "~/atmos.yaml:9:5: error: identity 'admin': via.provider 'ssso' is not defined under auth.providers; define it or fix the name",
                "~/atmos.yaml:3:5: error: provider 'sso' (aws/iam-identity-center) has no region; add region: e.g. us-east-1",
                "~/atmos.yaml:3:5: error: provider 'sso': start_url 'http://not-https' is not an https:// URL",
                "~/atmos.yaml:9:5: error: identity 'admin' needs principal.name (the permission set, e.g. AdminAccess)",
                "~/atmos.yaml:9:5: error: identity 'admin' needs principal.account.name or principal.account.id",
                "✗ ~/atmos.yaml: 5 errors, 1 warning",
            ],
            result.Lines);
    }

    [Fact]
    public async Task A_nul_byte_in_base_path_is_one_clear_error_not_a_stack_trace()
    {
        var config = _home.Write("atmos.yaml", """
            auth:
              providers:
                p:
                  kind: aws/saml
                  region: us-east-1
                  spec: { files: { base_path: "/tmp/a\0b" } }
              identities:
                i: { kind: aws/assume-role, via: { provider: p }, principal: { assume_role: "arn:aws:iam::111111111111:role/x" } }
            """);

        var result = await new CliRun(_home).RunAsync("auth", "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "Config: ~/atmos.yaml",
                "~/atmos.yaml:3:5: error: provider 'p': spec.files.base_path contains a NUL byte, carriage return or newline; write it on one line",
                "✗ ~/atmos.yaml: 1 error",
            ],
            result.Lines);
    }

    [Fact]
    public async Task An_unknown_argument_is_one_sentence_naming_it_and_the_help()
    {
        var result = await new CliRun(_home).RunAsync("auth", "validate", "extra");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["Error: Unrecognized command or argument 'extra'; run 'atmos --help' for usage"], result.Lines);
    }

    [Fact]
    public async Task A_missing_config_file_is_one_clear_error()
    {
        var result = await new CliRun(_home).RunAsync("auth", "validate", "--config", "nope.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --config nope.yaml does not exist; pass the path of an existing atmos.yaml", result.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_with_an_invalid_realm_exits_2_and_changes_nothing()
    {
        // An invalid realm scopes every key and path, so (as in atmos) it stops every command.
        var config = _home.Write("atmos.yaml", "auth:\n  realm: \"../escape\"\n  identities:\n    ci:\n      kind: aws/user\n");
        _home.Write(".config/atmos/aws/aws-user/credentials", "[ci]\nk = v\n");
        var before = TempHome.Fingerprint(_home.Home);

        var result = await new CliRun(_home).RunAsync("auth", "logout", "--all", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: invalid configuration: ~/atmos.yaml:2:10: error: invalid realm value in auth.realm: '../escape' contains '.' '/' (a path separator)", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task An_identity_name_with_path_characters_is_only_a_section_name_and_touches_nothing_else()
    {
        var config = _home.Write("atmos.yaml", "auth:\n  identities:\n    \"../escape\":\n      kind: aws/user\n");
        _home.Write(".config/atmos/aws/aws-user/credentials", "[x]\nk = v\n\n[../escape]\nk = w\n");
        _home.Write(".config/atmos/escape/credentials", "[../escape]\nk = z\n");

        var result = await new CliRun(_home).RunAsync("auth", "logout", "--all", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("[x]\nk = v\n\n", File.ReadAllText(_home.PathOf(".config/atmos/aws/aws-user/credentials")));
        Assert.Equal("[../escape]\nk = z\n", File.ReadAllText(_home.PathOf(".config/atmos/escape/credentials")));
    }
}
