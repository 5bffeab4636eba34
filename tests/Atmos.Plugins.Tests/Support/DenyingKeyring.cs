using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// A keyring whose entries can be read but not deleted, as when the Secret Service or Keychain refuses access: every
/// remove fails the way the Secret Service backend reports an AccessDenied reply.
/// </summary>
public sealed class DenyingKeyring(string backend = "secret-service") : IKeyring
{
    private readonly MemoryKeyring _inner = new();

    public string Backend => backend;

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        _inner.GetManyAsync(names, cancellationToken);

    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        throw new KeyringOperationException("access denied by the Secret Service", "allow atmos in your keyring's access settings, or set auth.keyring.type: file");

    public Task SetAsync(string name, string secret, CancellationToken cancellationToken) => _inner.SetAsync(name, secret, cancellationToken);
}
