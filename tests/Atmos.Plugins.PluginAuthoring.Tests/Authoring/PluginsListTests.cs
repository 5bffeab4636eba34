using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary><c>atmos plugins list</c>: path, version, contract version, kinds and load errors of every plugin.</summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class PluginsListTests(PluginWorkbench plugins, PublishedAtmos atmos) : PluginAuthoringTest(plugins, atmos)
{
    [Fact]
    public void The_text_lists_each_plugin_with_its_path_version_contract_kinds_and_status()
    {
        var manifest = Home.UseManifest(
            new PluginEntry("aws", Home.AwsPlugin),
            new PluginEntry("acme", Plugins.Acme),
            new PluginEntry("future", Plugins.TestPlugin("Future")),
            new PluginEntry("gone", Path.Join(Home.Files.Root, "gone", "Gone.dll")),
            new PluginEntry("off", Plugins.TestPlugin("Json12"), Enabled: false));

        var result = Home.Atmos("plugins", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                $"Plugins (this atmos implements contract 1.2; from {manifest}):",
                string.Empty,
                "aws 1.0.0 (contract 1.2)",
                $"  path:       {Home.AwsPlugin}",
                $"  manifest:   {manifest}",
                "  providers:  aws/iam-identity-center, aws/saml",
                "  identities: aws/permission-set, aws/assume-role, aws/user",
                "  status:     ✓ ok (metadata only; --load also loads it)",
                string.Empty,
                "acme 0.1.0 (contract 1.2)",
                $"  path:       {Plugins.Acme}",
                $"  manifest:   {manifest}",
                "  providers:  acme/sso",
                "  identities: acme/role",
                "  status:     ✓ ok (metadata only; --load also loads it)",
                string.Empty,
                "future 3.1.0 (contract 2.0)",
                $"  path:       {Plugins.TestPlugin("Future")}",
                $"  manifest:   {manifest}",
                "  providers:  future/provider",
                "  status:     ✗ cannot be used",
                "  error:      version 3.1.0 of plugin 'future' was built for contract 2.0, which is newer than this atmos's contract 1.2; upgrade atmos or use a build of the plugin for contract 1.x with x ≤ 2",
                string.Empty,
                "gone",
                $"  path:       {Path.Join(Home.Files.Root, "gone", "Gone.dll")}",
                $"  manifest:   {manifest}",
                "  status:     ✗ cannot be used",
                $"  error:      assembly not found at {Path.Join(Home.Files.Root, "gone", "Gone.dll")}; reinstall it or fix its path in {manifest}",
                string.Empty,
                "off 12.0.0 (contract 1.2)",
                $"  path:       {Plugins.TestPlugin("Json12")}",
                $"  manifest:   {manifest}",
                "  providers:  json12/token",
                "  status:     - disabled",
                string.Empty,
                "✗ 5 plugins, 2 with errors",
            ],
            result.Lines);
    }

    [Fact]
    public void With_load_each_plugin_is_loaded_and_reports_its_cloud()
    {
        Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme));

        var result = Home.Atmos("plugins", "list", "--load");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  status:     ✓ loaded (cloud 'aws')", result.Lines);
        Assert.Contains("  status:     ✓ loaded (cloud 'acme')", result.Lines);
        Assert.Equal("✓ 2 plugins, none with errors", result.Lines[^1]);
    }

    [Fact]
    public void The_json_document_carries_every_field_and_paths_in_full()
    {
        var manifest = Home.UseManifest(new PluginEntry("acme", Plugins.Acme));
        Home.Environment["HOME"] = Path.GetDirectoryName(Plugins.Acme)!;

        var result = Home.Atmos("plugins", "list", "--load", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("plugins list", document.GetProperty("command").GetString());
        Assert.Equal("1.2", document.GetProperty("contract").GetString());
        Assert.Equal([manifest], document.GetProperty("manifests").EnumerateArray().Select(m => m.GetString()));
        Assert.Empty(document.GetProperty("problems").EnumerateArray());
        var plugin = Assert.Single(document.GetProperty("plugins").EnumerateArray());
        Assert.Equal(
            ["name", "path", "manifest", "enabled", "version", "contract", "provider_kinds", "identity_kinds", "status", "cloud", "errors"],
            plugin.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Plugins.Acme, plugin.GetProperty("path").GetString());
        Assert.Equal("1.2", plugin.GetProperty("contract").GetString());
        Assert.Equal("acme", plugin.GetProperty("cloud").GetString());
    }
}
