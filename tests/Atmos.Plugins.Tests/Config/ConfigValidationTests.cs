using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Config;

public sealed class ConfigValidationTests
{
    private static List<string> Errors(string identitiesAndProviders) => Problems(identitiesAndProviders, ProblemSeverity.Error).Select(p => p.ToString()).ToList();

    private static List<string> Warnings(string identitiesAndProviders) => Problems(identitiesAndProviders, ProblemSeverity.Warning).Select(p => p.ToString()).ToList();

    private static List<ConfigProblem> Problems(string identitiesAndProviders, ProblemSeverity severity)
    {
        var config = AuthConfigLoader.Parse("auth:\n" + identitiesAndProviders, "atmos.yaml");
        return ConfigValidation.Validate(config, Catalogs.MetadataOnly(), "/home/u").Where(p => p.Severity == severity).ToList();
    }

    private const string KnownProviderKinds = "atmos/pro, aws/iam-identity-center, aws/saml, azure/cli, azure/device-code, azure/interactive, azure/oidc, gcp/adc, gcp/workload-identity-federation, github/oidc, mock, mock/aws";

    private const string Provider = "  providers:\n    aws-sso:\n      kind: aws/iam-identity-center\n      region: us-east-1\n";

    [Fact]
    public void A_valid_chain_has_no_errors()
    {
        Assert.Empty(Errors(Provider + "  identities:\n    a:\n      kind: aws/permission-set\n      via: {provider: aws-sso}\n    b:\n      kind: aws/assume-role\n      via: {identity: a}\n"));
    }

    [Fact]
    public void An_unknown_kind_is_a_warning_listing_the_known_ones()
    {
        Assert.Empty(Errors("  providers:\n    p:\n      kind: aws/sso-typo\n"));
        var warning = Assert.Single(Warnings("  providers:\n    p:\n      kind: aws/sso-typo\n"));
        Assert.Equal($"atmos.yaml:3:5: warning: provider 'p': no plugin owns kind 'aws/sso-typo' (a newer atmos's kind, or a plugin that is not installed); its files are not looked for and its keyring entries are kept unless --keychain; known provider kinds: {KnownProviderKinds}", warning);
    }

    [Theory]
    [InlineData("providers", "aws/iam-identity-center")]
    [InlineData("providers", "aws/saml")]
    [InlineData("providers", "azure/cli")]
    [InlineData("providers", "azure/device-code")]
    [InlineData("providers", "azure/interactive")]
    [InlineData("providers", "azure/oidc")]
    [InlineData("providers", "gcp/adc")]
    [InlineData("providers", "gcp/workload-identity-federation")]
    [InlineData("providers", "github/oidc")]
    [InlineData("providers", "atmos/pro")]
    [InlineData("providers", "mock")]
    [InlineData("providers", "mock/aws")]
    [InlineData("identities", "aws/permission-set")]
    [InlineData("identities", "aws/assume-role")]
    [InlineData("identities", "aws/assume-root")]
    [InlineData("identities", "aws/user")]
    [InlineData("identities", "aws/ambient")]
    [InlineData("identities", "ambient")]
    [InlineData("identities", "azure/subscription")]
    [InlineData("identities", "gcp/service-account")]
    [InlineData("identities", "gcp/project")]
    [InlineData("identities", "atmos/pro")]
    [InlineData("identities", "aws/emulator")]
    [InlineData("identities", "azure/emulator")]
    [InlineData("identities", "gcp/emulator")]
    [InlineData("identities", "kubernetes/emulator")]
    [InlineData("identities", "mock")]
    [InlineData("identities", "mock/aws")]
    public void Every_kind_atmos_registers_is_owned_by_a_plugin(string section, string kind)
    {
        var yaml = $"  {section}:\n    x:\n      kind: {kind}\n";
        Assert.Empty(Errors(yaml));
        Assert.DoesNotContain(Warnings(yaml), w => w.Contains("no plugin owns", StringComparison.Ordinal));
    }

    [Fact]
    public void Identity_names_may_hold_slashes_and_dots_and_provider_names_dots()
    {
        Assert.Empty(Errors(Provider + "  identities:\n    core-root/terraform:\n      kind: aws/permission-set\n      via: {provider: aws-sso}\n    app.v2:\n      kind: aws/user\n"));
        Assert.Empty(Errors("  providers:\n    acme.sso:\n      kind: aws/saml\n"));
    }

    [Fact]
    public void Names_differing_only_in_case_are_a_warning()
    {
        var warning = Assert.Single(Warnings("  identities:\n    Dev:\n      kind: aws/user\n    dev:\n      kind: aws/user\n"));
        Assert.Contains("identity names 'Dev' and 'dev' differ only in case; atmos lower-cases names", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_errors_name_the_principals_they_block_and_the_loop_all_its_members()
    {
        var problems = Problems(Provider + "  identities:\n    a:\n      kind: aws/assume-role\n      via: {identity: b}\n    b:\n      kind: aws/assume-role\n      via: {identity: a}\n    c:\n      kind: aws/saml\n      via: {provider: aws-sso}\n    d:\n      kind: aws/assume-role\n      via: {provider: nope}\n", ProblemSeverity.Error);

        Assert.Equal(
            [["d"], ["c"], ["a", "b"]],
            problems.OrderBy(p => p.Message.StartsWith("identities form", StringComparison.Ordinal)).ThenBy(p => p.Message.Contains("provider kind", StringComparison.Ordinal)).Select(p => p.Principals.ToArray()).ToArray());
        Assert.All(problems, p => Assert.False(p.IsGlobalError));
    }

    [Fact]
    public void A_provider_kind_on_an_identity_is_named()
    {
        var error = Assert.Single(Errors("  identities:\n    i:\n      kind: aws/saml\n"));
        Assert.Contains("'aws/saml' is a provider kind", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dangling_via_names_the_missing_entry_and_suggests_a_fix()
    {
        var errors = Errors(Provider + "  identities:\n    a:\n      kind: aws/permission-set\n      via: {provider: AWS-SSO}\n    b:\n      kind: aws/assume-role\n      via: {identity: nobody}\n");
        Assert.Equal(
            [
                "atmos.yaml:7:5: error: identity 'a': via.provider 'AWS-SSO' is not defined under auth.providers; did you mean 'aws-sso'?",
                "atmos.yaml:10:5: error: identity 'b': via.identity 'nobody' is not defined under auth.identities; define it or fix the name",
            ],
            errors);
    }

    [Fact]
    public void A_cycle_is_reported_once_naming_the_loop()
    {
        var error = Assert.Single(Errors("  identities:\n    a:\n      kind: aws/assume-role\n      via: {identity: b}\n    b:\n      kind: aws/assume-role\n      via: {identity: c}\n    c:\n      kind: aws/assume-role\n      via: {identity: a}\n"));
        Assert.Equal("atmos.yaml:3:5: error: identities form a loop through via.identity: a → b → c → a; one of them must end at a provider (via.provider)", error);
    }

    [Fact]
    public void A_self_loop_is_a_cycle()
    {
        Assert.Contains("loop through via.identity: a → a", Assert.Single(Errors("  identities:\n    a:\n      kind: aws/assume-role\n      via: {identity: a}\n")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"../evil\"", "name contains a path separator")]
    [InlineData("\"..\"", "name contains '..'")]
    [InlineData(".hidden", "name starts with '.'")]
    [InlineData("\"nul\\0byte\"", "name contains a NUL byte")]
    public void Unsafe_names_are_rejected(string name, string problem)
    {
        var error = Assert.Single(Errors($"  providers:\n    {name}:\n      kind: aws/saml\n"));
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', error);
    }

    [Theory]
    [InlineData("\"\"", "spec.files.base_path is empty")]
    [InlineData("\"   \"", "spec.files.base_path is empty")]
    [InlineData("\"/tmp/a\\nb\"", "contains a NUL byte, carriage return or newline")]
    [InlineData("\"/tmp/a\\rb\"", "contains a NUL byte, carriage return or newline")]
    [InlineData("\"~other/creds\"", "tilde expansion failed")]
    public void Base_path_rules_are_enforced(string basePath, string problem)
    {
        var error = Assert.Single(Errors($"  providers:\n    p:\n      kind: aws/saml\n      spec: {{files: {{base_path: {basePath}}}}}\n"));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void One_validator_serves_concurrent_runs_each_with_its_own_plugins()
    {
        // The validator is built once per process; the plugins (and home) of each run travel in its validation context.
        var config = AuthConfigLoader.Parse("auth:\n  providers:\n    p:\n      kind: aws/sso-typo\n", "atmos.yaml");
        var installed = Catalogs.MetadataOnly();
        var none = Catalogs.Empty();

        var messages = Enumerable.Range(0, 64).AsParallel().Select(i =>
        {
            var catalog = i % 2 == 0 ? installed : none;
            return (Even: i % 2 == 0, Message: Assert.Single(ConfigValidation.Validate(config, catalog, "/home/u")).Message);
        }).ToList();

        Assert.All(messages.Where(m => m.Even), m => Assert.EndsWith($"known provider kinds: {KnownProviderKinds}", m.Message, StringComparison.Ordinal));
        Assert.All(messages.Where(m => !m.Even), m => Assert.EndsWith("known provider kinds: (no plugin is installed; check plugins.json)", m.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_identity_named_like_a_provider_is_a_warning_that_they_share_keyring_entries()
    {
        var yaml = Provider + "  identities:\n    aws-sso:\n      kind: aws/user\n";
        Assert.Empty(Errors(yaml));
        Assert.Contains("same name as a provider; atmos keys keyring entries by name, so they share their entries", Assert.Single(Warnings(yaml)), StringComparison.Ordinal);
    }

    [Fact]
    public void Via_with_both_provider_and_identity_is_rejected()
    {
        var errors = Errors(Provider + "  identities:\n    a:\n      kind: aws/user\n    b:\n      kind: aws/assume-role\n      via: {provider: aws-sso, identity: a}\n");
        Assert.Contains(errors, e => e.Contains("via has both provider and identity", StringComparison.Ordinal));
    }
}
