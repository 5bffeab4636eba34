using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>A listed plugin that is missing or broken becomes a failed step naming it; everything else still runs.</summary>
public sealed class PluginIsolationTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;

    public PluginIsolationTests() => _cli = new CliRun(_home);

    public void Dispose() => _home.Dispose();

    private string Manifest(string extraPluginPath)
    {
        var aws = Path.Join(RepoPaths.HostOutput, "plugins", "Aws", "Atmos.Plugins.Aws.dll");
        return _home.Write("manifest/plugins.json", $$"""
            { "plugins": [
              { "name": "aws", "path": "{{aws}}", "enabled": true },
              { "name": "gcp", "path": "{{extraPluginPath}}", "enabled": true }
            ] }
            """);
    }

    private string Config() => _home.Write("atmos.yaml", """
        auth:
          providers:
            aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start" }
            gcp-adc: { kind: gcp/adc }
          identities:
            dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
            data-sa: { kind: gcp/service-account, via: { provider: gcp-adc } }
        """);

    [Theory]
    [InlineData("missing/Atmos.Plugins.Gcp.dll", "assembly not found at")]
    [InlineData("broken/Atmos.Plugins.Gcp.dll", "is not a readable .NET assembly")]
    public async Task A_missing_or_broken_plugin_fails_its_steps_and_the_aws_logout_still_runs(string pluginPath, string reason)
    {
        _home.Write("broken/Atmos.Plugins.Gcp.dll", "this is not an assembly");
        _cli.Environment["ATMOS_PLUGINS_MANIFEST"] = Manifest(_home.PathOf(pluginPath));
        var config = Config();
        _home.Write(".config/atmos/aws/aws-sso/credentials", "[dev-admin]\nk = v\n[other]\nk = v\n");
        await _cli.Keyring.SetAsync("data-sa", """{"type":"gcp","data":{"access_token":"t"}}""", CancellationToken.None);

        var result = await _cli.RunAsync("auth", "logout", "--all", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("✗ Plugin gcp: gcp-adc, data-sa (plugin unavailable)", result.Lines);
        Assert.Contains("✗ Keyring: data-sa (cannot tell session from keychain credential)", result.Lines);
        Assert.Contains("Logged out with warnings (1/3 successful)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("• gcp-adc, data-sa: plugin 'gcp' is unavailable: ", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal));
        Assert.False(_home.Exists(".config/atmos/aws/aws-sso"));
        Assert.Equal(["data-sa"], await _cli.Keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Validate_reports_the_unavailable_plugin_for_each_entry_that_needs_it()
    {
        _cli.Environment["ATMOS_PLUGINS_MANIFEST"] = Manifest(_home.PathOf("missing/Atmos.Plugins.Gcp.dll"));

        var result = await _cli.RunAsync("auth", "validate", "--config", Config());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("~/atmos.yaml:4:5: error: provider 'gcp-adc': plugin 'gcp' is unavailable: assembly not found at", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("~/atmos.yaml:7:5: error: identity 'data-sa': plugin 'gcp' is unavailable", StringComparison.Ordinal));
        Assert.Equal("✗ ~/atmos.yaml: 2 errors", result.Lines[^1]);
    }

    [Fact]
    public async Task Two_plugins_claiming_one_kind_is_an_error_naming_both()
    {
        var aws = Path.Join(RepoPaths.HostOutput, "plugins", "Aws", "Atmos.Plugins.Aws.dll");
        _cli.Environment["ATMOS_PLUGINS_MANIFEST"] = _home.Write("m/plugins.json", $$"""{ "plugins": [ { "name": "aws", "path": "{{aws}}" }, { "name": "aws-copy", "path": "{{aws}}" } ] }""");

        var result = await _cli.RunAsync("auth", "validate", "--config", _home.Write("atmos.yaml", "auth:\n  providers:\n    p: { kind: aws/saml, region: r }\n"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("kind 'aws/saml' is claimed by more than one plugin: 'aws'", StringComparison.Ordinal) && l.Contains("'aws-copy'", StringComparison.Ordinal));
    }
}
