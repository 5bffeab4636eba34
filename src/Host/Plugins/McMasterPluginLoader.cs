using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.PluginHost;

namespace Atmos.Plugins.Host.Plugins;

/// <summary>
/// Loads the plugins shipped with atmos into atmos's own process, each in its own load context with its own
/// dependencies (<see cref="PluginAssemblies"/>, the one place that touches McMaster.NETCore.Plugins). Every other
/// plugin runs in a process of its own (<see cref="PluginProcessLoader"/>).
/// </summary>
internal sealed class McMasterPluginLoader : IPluginLoader
{
    /// <inheritdoc />
    public IProviderPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var assembly = PluginAssemblies.LoadAssembly(descriptor.Entry.AssemblyPath);
        if (descriptor.Metadata is { IsDeclared: true } && PluginMetadata.Verify(descriptor.Entry, assembly) is { } mismatch)
        {
            throw new InvalidOperationException(mismatch);
        }

        return PluginAssemblies.Create(assembly);
    }
}
