using System.Reflection;
using System.Runtime.Loader;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Plugins;
using McMaster.NETCore.Plugins.Loader;

namespace Atmos.Plugins.Host.Plugins;

/// <summary>
/// The one place that touches McMaster.NETCore.Plugins: each plugin gets its own load context with its own
/// dependencies; only the contract assembly is shared with the host, so a plugin may carry any version of anything else.
/// </summary>
/// <remarks>
/// The context is built with McMaster's <see cref="AssemblyLoadContextBuilder"/>, exactly as its <c>PluginLoader</c>
/// builds it for a plugin with one shared type, minus one step: <c>PluginLoader</c> also deserializes every
/// <c>*.runtimeconfig.json</c> beside the host, with the reflection-based JSON serializer, to look for extra probing
/// paths that a published plugin never has. That step alone made loading a plugin cost five times what the rest of it
/// costs (docs/performance.md). Dependencies still resolve from the plugin's deps.json, through the runtime's
/// AssemblyDependencyResolver inside McMaster's load context.
/// <para>Shared references are lazy: without it, sharing the contract loads the whole transitive closure of its
/// references (some twenty framework assemblies, a fifth of a cold start) before the plugin is even opened. Eager
/// loading exists to stop a plugin from loading its own copy of a shared assembly's dependency before the shared
/// assembly itself; that cannot happen here, because the plugin's entry type implements the contract's
/// <see cref="IProviderPlugin"/>, so the contract (and with it the list of its references, which then resolve from the
/// host) is loaded before any plugin code runs.</para>
/// </remarks>
internal sealed class McMasterPluginLoader : IPluginLoader
{
    /// <summary>
    /// Pays, on the warm-up thread, the first use of what loading a plugin meets, without loading one: McMaster's
    /// builder, the load-context statics, the runtime's type-name parser (an attribute argument naming a type, such as
    /// <c>[assembly: AtmosPlugin(typeof(...))]</c>, goes through it, and its vectorised search paths are JIT-compiled on
    /// first use) and reading an assembly's references and attributes. Never throws.
    /// </summary>
    public static void Warm()
    {
        try
        {
            var host = typeof(McMasterPluginLoader).Assembly;
            _ = ContextBuilder();
            _ = AssemblyLoadContext.GetLoadContext(host);
            _ = Type.GetType("Atmos.Plugins.Contracts.IProviderPlugin, Atmos.Plugins.Contracts", throwOnError: false);
            _ = host.GetReferencedAssemblies();
            _ = host.GetCustomAttribute<AssemblyInformationalVersionAttribute>();
        }
        catch (Exception)
        {
            // Only ever an optimisation: a real load meets (and reports) any problem itself.
        }
    }

    /// <inheritdoc />
    public IProviderPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var path = descriptor.Entry.AssemblyPath;
        var context = ContextBuilder().SetMainAssemblyPath(path).Build();
        var assembly = context.LoadFromAssemblyPath(path);
        if (descriptor.Metadata is { IsDeclared: true } && PluginMetadata.Verify(descriptor.Entry, assembly) is { } mismatch)
        {
            throw new InvalidOperationException(mismatch);
        }

        var entry = assembly.GetCustomAttribute<AtmosPluginAttribute>()?.PluginType
            ?? throw new InvalidOperationException($"{Path.GetFileName(path)} has no [assembly: AtmosPlugin(typeof(...))]");
        if (!typeof(IProviderPlugin).IsAssignableFrom(entry))
        {
            throw new InvalidOperationException($"{entry.FullName} does not implement IProviderPlugin from this host's Atmos.Plugins.Contracts (was a copy of the contract shipped with the plugin?)");
        }

        return Activator.CreateInstance(entry) as IProviderPlugin
            ?? throw new InvalidOperationException($"{entry.FullName} could not be created; it needs a public parameterless constructor");
    }

    // A plugin's load context: the default context behind it, references resolved lazily, the contract shared with the host.
    private static AssemblyLoadContextBuilder ContextBuilder() =>
        new AssemblyLoadContextBuilder()
            .SetDefaultContext(AssemblyLoadContext.Default)
            .IsLazyLoaded(true)
            .PreferDefaultLoadContextAssembly(typeof(IProviderPlugin).Assembly.GetName());
}
