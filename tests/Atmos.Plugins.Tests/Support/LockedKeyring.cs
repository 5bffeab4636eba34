using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Tests.Support;

/// <summary>A keyring that is locked and will not be unlocked without a prompt: every call fails as the Secret Service's does.</summary>
public sealed class LockedKeyring : IKeyring
{
    public string Backend => "secret-service";

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => throw Locked();

    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) => throw Locked();

    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => throw Locked();

    public Task SetAsync(string name, string secret, CancellationToken cancellationToken) => throw Locked();

    private static KeyringUnavailableException Locked() => new("keyring is locked", "unlock it (gnome-keyring-daemon --unlock) or set auth.keyring.type: file");
}
