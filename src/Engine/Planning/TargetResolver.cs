using Atmos.Plugins.Engine.Config;

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
