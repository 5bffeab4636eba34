using System.Collections.Concurrent;

namespace Atmos.Plugins.Engine.Keyring;

/// <summary>An in-process keyring for tests (<c>auth.keyring.type: memory</c>). Nothing survives the process.</summary>
public sealed class MemoryKeyring : IKeyring
{
    private readonly ConcurrentDictionary<string, string> _entries = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Backend => "memory";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(_entries.Keys.Order(StringComparer.Ordinal).ToList());

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (_entries.TryGetValue(name, out var secret))
            {
                found[name] = secret;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string?>>(found);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => Task.FromResult(_entries.TryRemove(name, out _));

    /// <inheritdoc />
    public Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        _entries[name] = secret;
        return Task.CompletedTask;
    }
}
