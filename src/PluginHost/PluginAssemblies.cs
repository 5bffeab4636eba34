using System.Reflection;
using System.Runtime.Loader;
using Atmos.Plugins.Contracts;
using McMaster.NETCore.Plugins.Loader;

namespace Atmos.Plugins.PluginHost;

/// <summary>
/// The one place that touches McMaster.NETCore.Plugins, for both ways a plugin runs (in atmos's process for the
/// plugins shipped with it, in <c>atmos-plugin-host</c> for every other): each plugin gets its own load context with its
/// own dependencies; only the contract assembly is shared with the host, so a plugin may carry any version of anything
/// else.
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
internal static class PluginAssemblies
{
    private const string ContractName = "Atmos.Plugins.Contracts";

    /// <summary>
    /// Pays, on a warm-up thread, the first use of what loading a plugin meets, without loading one: McMaster's
    /// builder, the load-context statics, the runtime's type-name parser (an attribute argument naming a type, such as
    /// <c>[assembly: AtmosPlugin(typeof(...))]</c>, goes through it, and its vectorised search paths are JIT-compiled on
    /// first use) and reading an assembly's references and attributes. Never throws.
    /// </summary>
    public static void Warm()
    {
        try
        {
            var host = typeof(PluginAssemblies).Assembly;
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

    /// <summary>Loads the plugin assembly into a load context of its own.</summary>
    /// <param name="path">The plugin's main assembly.</param>
    public static Assembly LoadAssembly(string path)
    {
        var context = ContextBuilder().SetMainAssemblyPath(path).Build();
        return context.LoadFromAssemblyPath(path);
    }

    /// <summary>Creates the class <c>[assembly: AtmosPlugin(typeof(...))]</c> names: runs the plugin's constructor.</summary>
    /// <param name="assembly">The loaded plugin assembly.</param>
    /// <exception cref="InvalidOperationException">No such attribute, a class that is no plugin, or no usable constructor.</exception>
    public static IProviderPlugin Create(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var file = Path.GetFileName(assembly.Location);
        var entry = assembly.GetCustomAttribute<AtmosPluginAttribute>()?.PluginType
            ?? throw new InvalidOperationException($"{file} has no [assembly: AtmosPlugin(typeof(...))]");
        if (!typeof(IProviderPlugin).IsAssignableFrom(entry))
        {
            throw new InvalidOperationException($"{entry.FullName} does not implement IProviderPlugin from this host's Atmos.Plugins.Contracts (was a copy of the contract shipped with the plugin?)");
        }

        return Activator.CreateInstance(entry) as IProviderPlugin
            ?? throw new InvalidOperationException($"{entry.FullName} could not be created; it needs a public parameterless constructor");
    }

    /// <summary>
    /// Walks the plugin's whole dependency closure in its load context and says what is wrong with it: a dependency
    /// that cannot be loaded (missing from the plugin's folder, a version older than the one referenced, not an
    /// assembly), and one that resolved to a copy the process itself carries instead of the plugin's own (a dependency
    /// left out of the plugin's folder would otherwise bind to the host's copy, silently, whatever its version).
    /// Framework assemblies and the contract come from the process, as they should. Empty when the closure is whole.
    /// </summary>
    /// <param name="assembly">The loaded plugin assembly.</param>
    /// <param name="hostOwned">
    /// Simple names of the non-framework assemblies this process carries; a plugin dependency found among them was not
    /// found in the plugin's folder.
    /// </param>
    public static IReadOnlyList<string> ClosureProblems(Assembly assembly, IReadOnlySet<string> hostOwned)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(hostOwned);
        var context = AssemblyLoadContext.GetLoadContext(assembly) ?? AssemblyLoadContext.Default;
        var folder = Path.GetDirectoryName(assembly.Location);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { assembly.GetName().Name! };
        var pending = new Queue<Assembly>([assembly]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var reference in current.GetReferencedAssemblies())
            {
                if (reference.Name is null || reference.Name == ContractName || !seen.Add(reference.Name))
                {
                    continue;
                }

                Assembly resolved;
                try
                {
                    resolved = context.LoadFromAssemblyName(reference);
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    problems.Add($"its dependency {reference.Name} {reference.Version} (needed by {current.GetName().Name}) cannot be loaded from {folder}: {FirstSentence(ex.Message)}; install the plugin's whole publish folder");
                    continue;
                }

                var from = AssemblyLoadContext.GetLoadContext(resolved);
                if (from == context)
                {
                    pending.Enqueue(resolved);
                }
                else if (hostOwned.Contains(reference.Name))
                {
                    problems.Add($"its dependency {reference.Name} {reference.Version} (needed by {current.GetName().Name}) is missing from {folder}; only atmos's own copy ({resolved.GetName().Version}) was found, which a plugin must not use; install the plugin's whole publish folder");
                }
            }
        }

        return problems;
    }

    // A plugin's load context: the default context behind it, references resolved lazily, the contract shared with the host.
    private static AssemblyLoadContextBuilder ContextBuilder() =>
        new AssemblyLoadContextBuilder()
            .SetDefaultContext(AssemblyLoadContext.Default)
            .IsLazyLoaded(true)
            .PreferDefaultLoadContextAssembly(typeof(IProviderPlugin).Assembly.GetName());

    private static string FirstSentence(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? line[..end] : line).TrimEnd('.');
    }
}
