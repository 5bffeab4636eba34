using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.PluginAuthoring.Tests.Host;

/// <summary>The host's refusal of plugins built for another contract (the newer cases run end to end in IsolationTests).</summary>
public sealed class CompatibilityTests
{
    private static PluginMetadata Built(string contract, string? informational = null) =>
        new("Plugin", new Version(2, 3, 4, 0), Version.Parse(contract + ".0.0"), "Plugin.Entry", ["x/provider"], [], informational);

    [Fact]
    public void A_plugin_for_an_older_major_contract_is_refused_naming_its_version_and_ours()
    {
        Assert.Equal(
            "version 2.3.4 of plugin 'old' was built for contract 0.9, but this atmos's contract is 1.2 and contract 0.x plugins do not work with 1.x; use a build of the plugin for contract 1.x with x ≤ 2",
            PluginCatalog.Incompatibility("old", Built("0.9")));
    }

    [Fact]
    public void A_plugin_for_this_contract_is_accepted() => Assert.Null(PluginCatalog.Incompatibility("ok", Built("1.0")));

    [Theory]
    [InlineData(null, "2.3.4")]
    [InlineData("2.3.4-beta.1+0123abcd", "2.3.4-beta.1")]
    [InlineData("7.0.0", "7.0.0")]
    public void The_plugin_version_shown_is_the_informational_version_without_build_metadata(string? informational, string shown) =>
        Assert.Equal(shown, Built("1.0", informational).DisplayVersion);
}
