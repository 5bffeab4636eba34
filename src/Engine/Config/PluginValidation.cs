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
    /// <summary>Asks each entry's plugin to check it; returns the problems in config order, providers first.</summary>
    /// <param name="context">The run's config and plugins.</param>
    public static IReadOnlyList<ConfigProblem> Validate(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A provider whose base_path is unusable (ConfigValidation reports it) has no folder to show its plugin, and
        // neither have the identities whose chain ends at it: they are left out here, not resolved into a crash.
        var home = context.Paths.Home;
        var entries = new List<Entry>();
        foreach (var provider in context.Config.Providers.Where(p => HasFolder(p, home)))
        {
            entries.Add(new Entry(provider.Kind, provider.Location, $"provider '{provider.Name}'", provider, null));
        }

        foreach (var identity in context.Config.Identities.Where(i => HasFolder(context.Graph.RootProvider(i), home)))
        {
            entries.Add(new Entry(identity.Kind, identity.Location, $"identity '{identity.Name}'", null, identity));
        }

        // Each entry either has its problem already (no usable plugin) or waits for its plugin, asked once per plugin
        // for all of its providers and once for all of its identities (a hand-over to the guard's worker per batch, not
        // per entry).
        var problems = new List<ConfigProblem>[entries.Count];
        var waiting = new Dictionary<(GuardedPlugin Plugin, bool Providers), List<int>>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var owner = context.Catalog.Resolve(entry.Kind);
            if (owner.Plugin is not { IsAvailable: true } || owner.Problem is not null)
            {
                // Unknown kinds are reported by ConfigValidation; here only the unavailable plugin.
                problems[i] = owner.IsUnknown ? [] : [ConfigProblem.Error(entry.Location, $"{entry.Label}: {owner.Problem}")];
                continue;
            }

            var plugin = context.Catalog.Load(owner.Plugin);
            if (plugin.LoadFailure is not null)
            {
                problems[i] = [ConfigProblem.Error(entry.Location, $"{entry.Label}: plugin '{plugin.Name}' failed to load: {plugin.LoadFailure}")];
                continue;
            }

            var batch = (plugin, entry.Provider is not null);
            if (!waiting.TryGetValue(batch, out var indexes))
            {
                waiting[batch] = indexes = [];
            }

            indexes.Add(i);
        }

        foreach (var ((plugin, providers), indexes) in waiting)
        {
            var answers = providers
                ? plugin.CallEach("ValidateProvider", indexes.Select(i => context.ProviderTarget(entries[i].Provider!, plugin.Cloud)).ToList(), static (p, target) => PluginAnswers.Messages(p.ValidateProvider(target)))
                : plugin.CallEach("ValidateIdentity", indexes.Select(i => IdentityTarget(context, entries[i].Identity!, plugin)).ToList(), static (p, target) => PluginAnswers.Messages(p.ValidateIdentity(target)));
            for (var k = 0; k < indexes.Count; k++)
            {
                var entry = entries[indexes[k]];
                var answer = answers[k];
                problems[indexes[k]] = answer.Succeeded
                    ? answer.Value!.Select(message => ConfigProblem.Error(entry.Location, message)).ToList()
                    : [ConfigProblem.Error(entry.Location, answer.Failure!)];
            }
        }

        return problems.SelectMany(p => p).ToList();
    }

    private static bool HasFolder(ProviderConfig? provider, string home) => provider?.BasePath is not { } basePath || BasePaths.Problem(basePath, home) is null;

    // What the plugin is shown of an identity: its chain and root provider.
    private static IdentityTarget IdentityTarget(RunContext context, IdentityConfig identity, GuardedPlugin plugin)
    {
        var root = context.Graph.RootProvider(identity);
        return new IdentityTarget(identity.Name, identity.Kind, context.Graph.Chain(identity), root is null ? null : context.ProviderTarget(root, plugin.Cloud), identity.Settings);
    }

    private sealed record Entry(string Kind, SourceLocation Location, string Label, ProviderConfig? Provider, IdentityConfig? Identity);
}
