namespace Atmos.Plugins.Engine.Keyring;

/// <summary>Chooses the keyring backend (<c>auth.keyring.type</c>, overridden by <c>ATMOS_KEYRING_TYPE</c>).</summary>
public static class KeyringFactory
{
    /// <summary>Creates the configured keyring, bounded by its timeout.</summary>
    /// <param name="settings">The configured settings.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="dataHome">The XDG data folder.</param>
    public static IKeyring Create(KeyringSettings settings, IReadOnlyDictionary<string, string> environment, string dataHome)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var type = environment.TryGetValue("ATMOS_KEYRING_TYPE", out var overridden) && !string.IsNullOrWhiteSpace(overridden) ? overridden.Trim() : settings.Type;
        IKeyring keyring = type switch
        {
            "memory" => new MemoryKeyring(),
            "system" or "file" => new UnconfiguredKeyring(type),
            _ => throw new ArgumentException($"keyring type '{type}' is not supported; use one of {string.Join(", ", KeyringSettings.Types)}"),
        };
        return new BoundedKeyring(keyring, settings.Timeout);
    }

    private sealed class UnconfiguredKeyring(string type) : IKeyring
    {
        public string Backend => type;

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => throw Unavailable();

        public Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) => throw Unavailable();

        public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => throw Unavailable();

        public Task SetAsync(string name, string secret, CancellationToken cancellationToken) => throw Unavailable();

        private KeyringUnavailableException Unavailable() =>
            new("no keyring backend configured", $"the '{type}' keyring is not available in this build; set auth.keyring.type: memory");
    }
}
