using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>
/// A test of the plugin-authoring collection: the plugins built once for the run, the published atmos, and a fresh
/// throw-away home per test. Derived classes carry <c>[Collection(PluginAuthoringCollection.Name)]</c>.
/// </summary>
public abstract class PluginAuthoringTest : IDisposable
{
    protected PluginAuthoringTest(PluginWorkbench plugins, PublishedAtmos atmos)
    {
        Plugins = plugins;
        Published = atmos;
        Home = new PluginHome(atmos);
    }

    /// <summary>The plugins built outside the solution.</summary>
    protected PluginWorkbench Plugins { get; }

    /// <summary>The published atmos.</summary>
    protected PublishedAtmos Published { get; }

    /// <summary>This test's home, manifest and environment.</summary>
    protected PluginHome Home { get; }

    public void Dispose()
    {
        Home.Dispose();
        GC.SuppressFinalize(this);
    }
}
