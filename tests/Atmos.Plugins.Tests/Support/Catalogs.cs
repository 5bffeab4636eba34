using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Tests.Support;

/// <summary>Plugin catalogs over the built host's real plugin assemblies.</summary>
public static class Catalogs
{
    /// <summary>The built manifest, read from metadata only; loading is not expected (validation needs kinds only).</summary>
    public static PluginCatalog MetadataOnly() => new([RepoPaths.BuiltManifest], new RefusingLoader(), TimeSpan.FromSeconds(5));

    /// <summary>No plugins installed at all.</summary>
    public static PluginCatalog Empty() => new([], new RefusingLoader(), TimeSpan.FromSeconds(5));

    private sealed class RefusingLoader : IPluginLoader
    {
        public IProviderPlugin Load(PluginDescriptor descriptor) => throw new InvalidOperationException("this test must not load plugins");
    }
}
