using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// The built-in manifest declares each plugin's kinds so a command need not open every plugin assembly; those
/// declarations must match the assemblies, and a manifest that lies is caught when the plugin loads.
/// </summary>
public sealed class DeclaredKindsTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void The_built_in_manifest_declares_exactly_the_kinds_each_assembly_declares()
    {
        var entries = PluginManifest.Read(RepoPaths.BuiltManifest, new List<string>());

        Assert.Equal(["aws", "azure", "gcp", "atmos", "integrations"], entries.Select(e => e.Name));
        foreach (var entry in entries)
        {
            var metadata = PluginMetadata.Read(entry.AssemblyPath);
            Assert.True(entry.DeclaresKinds, $"{entry.Name} declares no kinds in plugins.json");
            Assert.Equal(metadata.ProviderKinds.Order(StringComparer.Ordinal), entry.DeclaredProviderKinds!.Order(StringComparer.Ordinal));
            Assert.Equal(metadata.IdentityKinds.Order(StringComparer.Ordinal), entry.DeclaredIdentityKinds!.Order(StringComparer.Ordinal));
            Assert.Equal(metadata.IntegrationKinds.Order(StringComparer.Ordinal), (entry.DeclaredIntegrationKinds ?? []).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_manifest_declaring_the_wrong_kinds_fails_that_plugin_with_both_lists_and_the_fix()
    {
        var aws = Path.Join(RepoPaths.HostOutput, "plugins", "Aws", "Atmos.Plugins.Aws.dll");
        var cli = new CliRun(_home);
        cli.Environment["ATMOS_PLUGINS_MANIFEST"] = _home.Write("m/plugins.json", $$"""
            { "plugins": [ { "name": "aws", "path": "{{aws}}", "provider_kinds": ["aws/saml"], "identity_kinds": ["aws/user"] } ] }
            """);
        var config = _home.Write("atmos.yaml", "auth:\n  identities:\n    ci: { kind: aws/user }\n");
        _home.Write(".config/atmos/aws/aws-user/credentials", "[ci]\nk = v\n");

        var result = await cli.RunAsync("auth", "logout", "ci", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("declares provider kinds [aws/saml], identity kinds [aws/user] and integration kinds [] for plugin 'aws', but Atmos.Plugins.Aws.dll declares [aws/iam-identity-center, aws/saml], [aws/ambient, aws/assume-role, aws/assume-root, aws/emulator, aws/permission-set, aws/user] and []; fix the manifest", StringComparison.Ordinal));
        Assert.Equal("[ci]\nk = v\n", _home.Read(".config/atmos/aws/aws-user/credentials"));
    }

    [Fact]
    public void A_malformed_kinds_declaration_is_a_manifest_problem_and_the_assembly_is_read_instead()
    {
        var problems = new List<string>();
        var manifest = _home.Write("m/plugins.json", """{ "plugins": [ { "name": "x", "path": "x.dll", "provider_kinds": "aws/saml" } ] }""");

        var entry = Assert.Single(PluginManifest.Read(manifest, problems));

        Assert.False(entry.DeclaresKinds);
        Assert.Contains("entry 1 has a \"provider_kinds\" that is not a list of kind names", Assert.Single(problems), StringComparison.Ordinal);
    }
}
