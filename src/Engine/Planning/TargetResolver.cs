using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>Matches a typed name to a configured identity or provider: exactly first, then case-insensitively when that is unambiguous.</summary>
public static class TargetResolver
{
    /// <summary>Finds an identity.</summary>
    /// <param name="config">The config.</param>
    /// <param name="name">The name as typed.</param>
    /// <param name="ambiguous">Set when several identities match case-insensitively.</param>
    public static IdentityConfig? FindIdentity(AuthConfig config, string name, out IReadOnlyList<string> ambiguous) =>
        Find(config.Identities, i => i.Name, name, out ambiguous);

    /// <summary>Finds a provider.</summary>
    /// <param name="config">The config.</param>
    /// <param name="name">The name as typed.</param>
    /// <param name="ambiguous">Set when several providers match case-insensitively.</param>
    public static ProviderConfig? FindProvider(AuthConfig config, string name, out IReadOnlyList<string> ambiguous) =>
        Find(config.Providers, p => p.Name, name, out ambiguous);

    /// <summary>
    /// Resolves a typed identity or provider name for <paramref name="scope"/>, or explains why it cannot be used: the
    /// reference doc's "not found" error with the sorted names and <paramref name="hint"/>.
    /// </summary>
    /// <param name="config">The config.</param>
    /// <param name="scope">Identity, provider or tags (all needs no name).</param>
    /// <param name="name">The name as typed (tags comma-separated).</param>
    /// <param name="hint">What to do next, printed after the names.</param>
    public static (ResolvedTarget? Target, LogoutRejected? Rejection) Resolve(AuthConfig config, ScopeKind scope, string? name, string hint)
    {
        ArgumentNullException.ThrowIfNull(config);
        switch (scope)
        {
            case ScopeKind.All or ScopeKind.AllRealms:
                return (new ResolvedTarget(scope), null);
            case ScopeKind.Tags:
                return ResolveTags(config, ConfigDiscovery.Split(name));
            case ScopeKind.Provider:
                var provider = FindProvider(config, name ?? string.Empty, out var ambiguousProviders);
                return provider is not null
                    ? (new ResolvedTarget(ScopeKind.Provider, Provider: provider), null)
                    : (null, NotFound("provider", name, ambiguousProviders, config.Providers.Select(p => p.Name), hint, config.Files));
            default:
                var identity = FindIdentity(config, name ?? string.Empty, out var ambiguous);
                return identity is not null
                    ? (new ResolvedTarget(ScopeKind.Identity, Identity: identity), null)
                    : (null, NotFound("identity", name, ambiguous, config.Identities.Select(i => i.Name), hint, config.Files));
        }
    }

    // atmos's performTagsLogout matches providers only, though its docs promise identities too: both match here.
    private static (ResolvedTarget? Target, LogoutRejected? Rejection) ResolveTags(AuthConfig config, IReadOnlyList<string> tags)
    {
        var wanted = tags.ToHashSet(StringComparer.Ordinal);
        var providers = config.Providers.Where(p => ConfigTags.MatchesAny(ConfigTags.Of(p.Settings), wanted)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var identities = config.Identities.Where(i => ConfigTags.MatchesAny(ConfigTags.Of(i.Settings), wanted)).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        if (providers.Count > 0 || identities.Count > 0)
        {
            return (new ResolvedTarget(ScopeKind.Tags, Tagged: new TaggedTargets(tags, providers, identities)), null);
        }

        var available = ConfigTags.All(config);
        return (null, new LogoutRejected
        {
            Error = $"no provider or identity has any of the tags {string.Join(", ", tags)}",
            ChoicesTitle = available.Count > 0 ? "Available tags:" : null,
            Choices = available,
            Hint = available.Count > 0 ? "Tags match exactly; pass one of these to --tags." : "Add tags: [..] to providers or identities in atmos.yaml.",
            Searched = config.Files.Count > 0 ? config.Files : null,
        });
    }

    private static LogoutRejected NotFound(string what, string? name, IReadOnlyList<string> ambiguous, IEnumerable<string> available, string hint, IReadOnlyList<string> searched) => new()
    {
        Error = ambiguous.Count > 1
            ? $"{what} \"{name}\" is ambiguous: it matches {string.Join(", ", ambiguous)} when case is ignored"
            : $"{what} \"{name}\" not found in configuration",
        ChoicesTitle = what == "identity" ? "Available identities:" : "Available providers:",
        Choices = available.Order(StringComparer.Ordinal).ToList(),
        Hint = hint,
        Searched = searched.Count > 0 ? searched : null,
    };

    private static T? Find<T>(IReadOnlyList<T> entries, Func<T, string> nameOf, string name, out IReadOnlyList<string> ambiguous)
        where T : class
    {
        ambiguous = [];
        var exact = entries.FirstOrDefault(e => nameOf(e) == name);
        if (exact is not null)
        {
            return exact;
        }

        var loose = entries.Where(e => string.Equals(nameOf(e), name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (loose.Count == 1)
        {
            return loose[0];
        }

        ambiguous = loose.Select(nameOf).Order(StringComparer.Ordinal).ToList();
        return null;
    }
}
