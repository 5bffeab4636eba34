using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Config;

public sealed class ConfigValidationTests
{
    private static List<string> Errors(string identitiesAndProviders)
    {
        var config = AuthConfigLoader.Parse("auth:\n" + identitiesAndProviders, "atmos.yaml");
        return ConfigValidation.Validate(config, Catalogs.MetadataOnly(), "/home/u")
            .Where(p => p.Severity == ProblemSeverity.Error)
            .Select(p => p.ToString())
            .ToList();
    }

    private const string Provider = "  providers:\n    aws-sso:\n      kind: aws/iam-identity-center\n      region: us-east-1\n";

    [Fact]
    public void A_valid_chain_has_no_errors()
    {
        Assert.Empty(Errors(Provider + "  identities:\n    a:\n      kind: aws/permission-set\n      via: {provider: aws-sso}\n    b:\n      kind: aws/assume-role\n      via: {identity: a}\n"));
    }

    [Fact]
    public void Unknown_kinds_list_the_known_ones()
    {
        var error = Assert.Single(Errors("  providers:\n    p:\n      kind: aws/sso-typo\n"));
        Assert.Equal("atmos.yaml:3:5: error: provider 'p': unknown kind 'aws/sso-typo'; use one of aws/iam-identity-center, aws/saml, azure/cli, azure/device-code, azure/interactive, azure/oidc, gcp/adc, gcp/workload-identity-federation", error);
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

        Assert.All(messages.Where(m => m.Even), m => Assert.EndsWith("use one of aws/iam-identity-center, aws/saml, azure/cli, azure/device-code, azure/interactive, azure/oidc, gcp/adc, gcp/workload-identity-federation", m.Message, StringComparison.Ordinal));
        Assert.All(messages.Where(m => !m.Even), m => Assert.EndsWith("use one of (no plugin is installed; check plugins.json)", m.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_identity_named_like_a_provider_is_rejected()
    {
        Assert.Contains("same name as a provider", Assert.Single(Errors(Provider + "  identities:\n    aws-sso:\n      kind: aws/user\n")), StringComparison.Ordinal);
    }

    [Fact]
    public void Via_with_both_provider_and_identity_is_rejected()
    {
        var errors = Errors(Provider + "  identities:\n    a:\n      kind: aws/user\n    b:\n      kind: aws/assume-role\n      via: {provider: aws-sso, identity: a}\n");
        Assert.Contains(errors, e => e.Contains("via has both provider and identity", StringComparison.Ordinal));
    }
}
