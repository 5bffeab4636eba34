using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// The plugins' own checks of their kinds' settings (<c>atmos auth validate</c>), plus a problem for every entry whose
/// kind belongs to a plugin that cannot be loaded.
/// </summary>
public static class PluginValidation
{
    /// <summary>Asks each entry's plugin to check it.</summary>
    /// <param name="context">The run context (config, catalog, paths).</param>
    public static IReadOnlyList<ConfigProblem> Validate(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<ConfigProblem>();
        foreach (var provider in context.Config.Providers)
        {
            problems.AddRange(Check(context, provider.Kind, provider.Location, $"provider '{provider.Name}'", plugin =>
            {
                var target = context.ProviderTarget(provider, plugin.Cloud);
                return plugin.Call("ValidateProvider", p => p.ValidateProvider(target).ToList());
            }));
        }

        foreach (var identity in context.Config.Identities)
        {
            problems.AddRange(Check(context, identity.Kind, identity.Location, $"identity '{identity.Name}'", plugin =>
            {
                var root = context.Graph.RootProvider(identity);
                var target = new IdentityTarget(identity.Name, identity.Kind, context.Graph.Chain(identity), root is null ? null : context.ProviderTarget(root, plugin.Cloud), identity.Settings);
                return plugin.Call("ValidateIdentity", p => p.ValidateIdentity(target).ToList());
            }));
        }

        return problems;
    }

    private static IEnumerable<ConfigProblem> Check(RunContext context, string kind, SourceLocation location, string entry, Func<GuardedPlugin, PluginCall<List<string>>> validate)
    {
        var owner = context.Catalog.Resolve(kind);
        if (owner.Plugin is not { IsAvailable: true } || owner.Problem is not null)
        {
            // Unknown kinds are reported by ConfigValidation; here only the unavailable plugin.
            return owner.IsUnknown ? [] : [ConfigProblem.Error(location, $"{entry}: {owner.Problem}")];
        }

        var plugin = context.Catalog.Load(owner.Plugin);
        if (plugin.LoadFailure is not null)
        {
            return [ConfigProblem.Error(location, $"{entry}: plugin '{plugin.Name}' failed to load: {plugin.LoadFailure}")];
        }

        var call = validate(plugin);
        return call.Succeeded
            ? call.Value!.Select(message => ConfigProblem.Error(location, message))
            : [ConfigProblem.Error(location, call.Failure!)];
    }
}
