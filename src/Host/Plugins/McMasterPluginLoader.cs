using System.Reflection;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Plugins;
using McMaster.NETCore.Plugins;

namespace Atmos.Plugins.Host.Plugins;

/// <summary>
/// The one place that touches McMaster.NETCore.Plugins: each plugin gets its own load context with its own
/// dependencies; only the contract assembly is shared with the host, so a plugin may carry any version of anything else.
/// </summary>
internal sealed class McMasterPluginLoader : IPluginLoader
{
    /// <inheritdoc />
    public IProviderPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var loader = PluginLoader.CreateFromAssemblyFile(descriptor.Entry.AssemblyPath, sharedTypes: [typeof(IProviderPlugin)]);
        var assembly = loader.LoadDefaultAssembly();
        var entry = assembly.GetCustomAttribute<AtmosPluginAttribute>()?.PluginType
            ?? throw new InvalidOperationException($"{Path.GetFileName(descriptor.Entry.AssemblyPath)} has no [assembly: AtmosPlugin(typeof(...))]");
        if (!typeof(IProviderPlugin).IsAssignableFrom(entry))
        {
            throw new InvalidOperationException($"{entry.FullName} does not implement IProviderPlugin from this host's Atmos.Plugins.Contracts (was a copy of the contract shipped with the plugin?)");
        }

        return Activator.CreateInstance(entry) as IProviderPlugin
            ?? throw new InvalidOperationException($"{entry.FullName} could not be created; it needs a public parameterless constructor");
    }
}
