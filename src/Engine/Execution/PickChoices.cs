using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// What a logout without a target offers: the rows of the interactive picker, and the choices listed when there is no
/// terminal to pick in (the decider's rejection). A pure function of the config.
/// </summary>
public static class PickChoices
{
    /// <summary>The picker's rows, in order: identities, providers, tags, all (each group sorted by name).</summary>
    /// <param name="config">The config.</param>
    public static IReadOnlyList<PickChoice> Of(AuthConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var choices = config.Identities.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => new PickChoice($"Identity: {i.Name}", ScopeKind.Identity, i.Name))
            .Concat(config.Providers.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new PickChoice($"Provider: {p.Name} (removes all identities)", ScopeKind.Provider, p.Name)))
            .Concat(ConfigTags.All(config).Select(tag => new PickChoice($"Tag: {tag} ({TagReach(config, tag)})", ScopeKind.Tags, tag)))
            .ToList();
        if (choices.Count > 0)
        {
            choices.Add(new PickChoice("All identities (complete logout)", ScopeKind.All, null));
            choices.Add(new PickChoice("All realms (everything atmos left on this machine)", ScopeKind.AllRealms, null));
        }

        return choices;
    }

    private static string TagReach(AuthConfig config, string tag)
    {
        var wanted = new[] { tag };
        var providers = config.Providers.Count(p => ConfigTags.MatchesAny(ConfigTags.Of(p.Settings), wanted));
        var identities = config.Identities.Count(i => ConfigTags.MatchesAny(ConfigTags.Of(i.Settings), wanted));
        var parts = new List<string>();
        if (providers > 0)
        {
            parts.Add(providers == 1 ? "1 provider" : $"{providers} providers");
        }

        if (identities > 0)
        {
            parts.Add(identities == 1 ? "1 identity" : $"{identities} identities");
        }

        return string.Join(", ", parts);
    }
}
