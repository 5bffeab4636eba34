namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// The authentication graph of a validated config: <c>via.provider</c> ends a chain, <c>via.identity</c> continues it.
/// Orders are deterministic: children sorted by name, visited depth first (the reference doc's output order).
/// </summary>
public sealed class ConfigGraph
{
    private readonly AuthConfig _config;
    private readonly Dictionary<string, List<IdentityConfig>> _children = new(StringComparer.Ordinal);

    /// <summary>Builds the graph. The config must be free of cycles and dangling <c>via</c> (see <see cref="ConfigValidation"/>).</summary>
    /// <param name="config">The config.</param>
    public ConfigGraph(AuthConfig config)
    {
        _config = config;
        foreach (var identity in config.Identities)
        {
            var parent = identity.ViaIdentity ?? identity.ViaProvider;
            if (parent is null)
            {
                continue;
            }

            if (!_children.TryGetValue(parent, out var list))
            {
                _children[parent] = list = [];
            }

            list.Add(identity);
        }

        foreach (var list in _children.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
    }

    /// <summary>The config.</summary>
    public AuthConfig Config => _config;

    /// <summary>The chain from its root (a provider, or a standalone identity) to <paramref name="identity"/>, inclusive.</summary>
    /// <param name="identity">An identity of the config.</param>
    public IReadOnlyList<string> Chain(IdentityConfig identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var chain = new List<string> { identity.Name };
        var current = identity;
        var guard = _config.Identities.Count + 1;
        while (guard-- > 0)
        {
            if (current.ViaIdentity is { } next && _config.FindIdentity(next) is { } parent)
            {
                chain.Add(parent.Name);
                current = parent;
                continue;
            }

            if (current.ViaProvider is { } provider)
            {
                chain.Add(provider);
            }

            break;
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>The provider the identity's chain ends at, or null for a standalone chain.</summary>
    /// <param name="identity">An identity of the config.</param>
    public ProviderConfig? RootProvider(IdentityConfig identity)
    {
        var root = Chain(identity)[0];
        return _config.FindProvider(root);
    }

    /// <summary>Every identity whose chain passes through <paramref name="name"/>, depth first, children sorted by name.</summary>
    /// <param name="name">A provider or identity name.</param>
    public IReadOnlyList<IdentityConfig> Descendants(string name)
    {
        var result = new List<IdentityConfig>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Visit(name, result, seen);
        return result;
    }

    /// <summary>Identities with no <c>via</c>, sorted by name.</summary>
    public IReadOnlyList<IdentityConfig> StandaloneIdentities() =>
        _config.Identities.Where(i => i.ViaIdentity is null && i.ViaProvider is null).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();

    private void Visit(string name, List<IdentityConfig> result, HashSet<string> seen)
    {
        if (!_children.TryGetValue(name, out var children))
        {
            return;
        }

        foreach (var child in children)
        {
            if (seen.Add(child.Name))
            {
                result.Add(child);
                Visit(child.Name, result, seen);
            }
        }
    }
}
