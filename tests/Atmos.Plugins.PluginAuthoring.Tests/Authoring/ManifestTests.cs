using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary>
/// plugins.json: <c>{ "name", "path" (relative to the manifest or absolute), "enabled" }</c>; <c>$ATMOS_PLUGINS_MANIFEST</c>
/// replaces the built-in manifest; a user manifest in <c>&lt;config home&gt;/atmos/plugins.json</c> adds plugins.
/// </summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class ManifestTests(PluginWorkbench plugins, PublishedAtmos atmos) : PluginAuthoringTest(plugins, atmos)
{
    private List<JsonElement> ListedPlugins(out JsonElement document)
    {
        var result = Home.Atmos("plugins", "list", "--output", "json");
        document = JsonDocument.Parse(result.Stdout).RootElement;
        return [.. document.GetProperty("plugins").EnumerateArray()];
    }

    private string AcmeConfig() => Home.Config("""
        auth:
          providers:
            acme-sso: { kind: acme/sso, tenant: example }
          identities:
            acme-dev: { kind: acme/role, via: { provider: acme-sso }, principal: { role: developer } }
        """);

    [Fact]
    public void A_relative_path_is_relative_to_the_manifests_folder()
    {
        var installed = Home.Install(Plugins.Acme, "opt/atmos-plugins/acme");
        Home.Environment["ATMOS_PLUGINS_MANIFEST"] = PluginHome.WriteManifest(Path.Join(Home.Files.Root, "etc", "plugins.json"), new PluginEntry("acme", "../opt/atmos-plugins/acme/Acme.AtmosPlugin.dll"));

        var plugin = Assert.Single(ListedPlugins(out _));

        Assert.Equal(installed, plugin.GetProperty("path").GetString());
        Assert.Equal("ok", plugin.GetProperty("status").GetString());
    }

    [Fact]
    public void An_absolute_path_is_used_as_it_is()
    {
        Home.UseManifest(new PluginEntry("acme", Plugins.Acme));

        var plugin = Assert.Single(ListedPlugins(out _));

        Assert.Equal(Plugins.Acme, plugin.GetProperty("path").GetString());
        Assert.Equal("ok", plugin.GetProperty("status").GetString());
    }

    [Fact]
    public void A_disabled_plugin_is_listed_as_disabled_and_its_steps_fail_saying_so()
    {
        var manifest = Home.UseManifest(new PluginEntry("aws", Home.AwsPlugin), new PluginEntry("acme", Plugins.Acme, Enabled: false));
        Home.Files.Write(".config/atmos/acme/acme-sso/session.json", "{}");

        var plugins = ListedPlugins(out _);
        var logout = Home.Atmos("auth", "logout", "--provider", "acme-sso", "--config", AcmeConfig());

        Assert.Equal("disabled", plugins[1].GetProperty("status").GetString());
        Assert.False(plugins[1].GetProperty("enabled").GetBoolean());
        Assert.Equal(1, logout.ExitCode);
        Assert.Contains($"• acme-sso, acme-dev: plugin 'acme' is unavailable: disabled in {manifest}; set \"enabled\": true to use it", logout.Lines);
        Assert.True(Home.Files.Exists(".config/atmos/acme/acme-sso/session.json"));
    }

    [Fact]
    public void Without_ATMOS_PLUGINS_MANIFEST_the_built_in_manifest_beside_atmos_is_read()
    {
        var plugins = ListedPlugins(out var document);

        Assert.Equal([Path.Join(Published.Folder, "plugins.json")], document.GetProperty("manifests").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["aws", "azure", "gcp", "atmos", "integrations"], plugins.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(Home.AwsPlugin, plugins[0].GetProperty("path").GetString());
        Assert.All(plugins, p => Assert.Equal("ok", p.GetProperty("status").GetString()));
    }

    [Fact]
    public void ATMOS_PLUGINS_MANIFEST_replaces_the_built_in_manifest()
    {
        Home.UseManifest(new PluginEntry("acme", Plugins.Acme));

        Assert.Equal(["acme"], ListedPlugins(out _).Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public void ATMOS_PLUGINS_MANIFEST_naming_a_missing_file_is_an_error()
    {
        Home.Environment["ATMOS_PLUGINS_MANIFEST"] = Path.Join(Home.Files.Root, "nowhere", "plugins.json");

        var result = Home.Atmos("plugins", "list");
        var json = Home.Atmos("plugins", "list", "--output", "json");

        var message = $"ATMOS_PLUGINS_MANIFEST points at {Path.Join(Home.Files.Root, "nowhere", "plugins.json")}, which does not exist; fix or unset it";
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: {message}", result.Lines);
        var problem = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal("error", problem.GetProperty("severity").GetString());
        Assert.Equal(message, problem.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("xdg")]
    [InlineData("default")]
    public void The_user_manifest_adds_plugins_to_the_built_in_ones_and_they_log_out(string configHome)
    {
        var folder = configHome == "xdg" ? Path.Join(Home.Files.Root, "xdg-config") : Path.Join(Home.Files.Home, ".config");
        Home.Environment["XDG_CONFIG_HOME"] = configHome == "xdg" ? folder : string.Empty;
        var user = PluginHome.WriteManifest(Path.Join(folder, "atmos", "plugins.json"), new PluginEntry("acme", Plugins.Acme));
        var roles = Path.Join(folder, "atmos", "acme", "acme-sso", "roles.json");
        Directory.CreateDirectory(Path.GetDirectoryName(roles)!);
        File.WriteAllText(roles, """{ "roles": { "acme-dev": {} } }""");

        var plugins = ListedPlugins(out var document);
        var logout = Home.Atmos("auth", "logout", "acme-dev", "--config", AcmeConfig());

        Assert.Equal([Path.Join(Published.Folder, "plugins.json"), user], document.GetProperty("manifests").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["aws", "azure", "gcp", "atmos", "integrations", "acme"], plugins.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(user, plugins[5].GetProperty("manifest").GetString());
        Assert.Equal(0, logout.ExitCode);
        Assert.Contains($"✓ Files: {(configHome == "xdg" ? roles : "~/.config/atmos/acme/acme-sso/roles.json")} (role sessions)", logout.Lines);
        Assert.False(File.Exists(roles));
    }

    [Fact]
    public void A_manifest_that_is_not_json_is_reported()
    {
        var path = Path.Join(Home.Files.Root, "bad", "plugins.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{ \"plugins\": [ ");
        Home.Environment["ATMOS_PLUGINS_MANIFEST"] = path;

        var result = Home.Atmos("plugins", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith($"error: plugin manifest {path} is not valid JSON", StringComparison.Ordinal));
    }
}
