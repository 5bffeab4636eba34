using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// The <c>tags:</c> of providers and identities (atmos v1.223, <c>pkg/tags</c>): plain labels, a list or a
/// comma-separated string, matched exactly; <c>--tags a,b</c> selects what carries any of them.
/// </summary>
public static class ConfigTags
{
    /// <summary>The tags in a provider's or identity's settings.</summary>
    /// <param name="settings">Its settings.</param>
    public static IReadOnlyList<string> Of(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.TryGetValue("tags", out var value))
        {
            return [];
        }

        return value switch
        {
            string text => ConfigDiscovery.Split(text),
            IReadOnlyList<object?> list => list.OfType<string>().Select(t => t.Trim()).Where(t => t.Length > 0).ToList(),
            _ => [],
        };
    }

    /// <summary>Every tag of the config's providers and identities, sorted, once each.</summary>
    /// <param name="config">The config.</param>
    public static IReadOnlyList<string> All(AuthConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Providers.Select(p => p.Settings).Concat(config.Identities.Select(i => i.Settings))
            .SelectMany(Of).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether an entry carrying <paramref name="tags"/> matches any of <paramref name="wanted"/> (atmos's TagModeAny).</summary>
    /// <param name="tags">The entry's tags.</param>
    /// <param name="wanted">The tags asked for.</param>
    public static bool MatchesAny(IReadOnlyList<string> tags, IReadOnlyCollection<string> wanted)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(wanted);
        return tags.Any(wanted.Contains);
    }
}
