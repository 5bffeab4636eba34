namespace Atmos.Plugins.Engine.Keyring;

/// <summary>
/// The system keyring as logout sees it: entries keyed by identity or provider name, all with the user
/// <see cref="User"/>. "Not found" is a normal answer (<c>false</c> / absent from a result), never an exception.
/// </summary>
/// <remarks>
/// A backend that cannot be used (no session bus, locked collection, wrong password, access denied, timeout) throws
/// <see cref="KeyringUnavailableException"/> with a one-line reason and the fix. Implementations honour the
/// cancellation token; <see cref="BoundedKeyring"/> adds the time limit for those that cannot.
/// </remarks>
public interface IKeyring
{
    /// <summary>The user every atmos entry is stored under.</summary>
    const string User = "atmos-auth";

    /// <summary>The backend's name as users configure it, such as <c>secret-service</c> or <c>file</c>.</summary>
    string Backend { get; }

    /// <summary>
    /// The names of all entries stored with user <see cref="User"/>, however they were written (by atmos itself or by
    /// us), each once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the secrets of the named entries that exist, in as few round trips as the backend allows (asking for many
    /// names, such as every key form of every principal, costs no more calls than asking for one where the backend can
    /// answer them together).
    /// </summary>
    /// <param name="names">Entry names.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// Name to secret, for the entries found. A <c>null</c> secret means the entry exists but its value cannot be read
    /// (the file keyring without the right password, a damaged entry): it is present, and is classified by its kind
    /// alone, as a value that is not a JSON envelope would be. Names not in the result do not exist.
    /// </returns>
    Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>Deletes an entry (every item matching it, where a backend can hold duplicates).</summary>
    /// <param name="name">The entry name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was no such entry.</returns>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces an entry.</summary>
    /// <param name="name">The entry name.</param>
    /// <param name="secret">The value, normally a JSON envelope <c>{"type":"aws","data":{...}}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetAsync(string name, string secret, CancellationToken cancellationToken);
}

/// <summary>The keyring cannot be used at all right now; every keyring step of the run fails with this reason.</summary>
public sealed class KeyringUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">A few words for the step line, such as "keyring is locked".</param>
    /// <param name="fix">What the user can do, such as "unlock it with gnome-keyring-daemon --unlock or set auth.keyring.type: file".</param>
    /// <param name="inner">The underlying error, if any.</param>
    public KeyringUnavailableException(string reason, string fix, Exception? inner = null)
        : base($"{reason}; {fix}", inner)
    {
        Reason = reason;
        Fix = fix;
    }

    /// <summary>A few words for the step line.</summary>
    public string Reason { get; }

    /// <summary>What the user can do about it.</summary>
    public string Fix { get; }
}

/// <summary>One keyring call failed (for example access to one item was denied) while the keyring itself works.</summary>
public sealed class KeyringOperationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">A few words for the step line, such as "access denied".</param>
    /// <param name="fix">What the user can do about it.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public KeyringOperationException(string reason, string fix, Exception? inner = null)
        : base($"{reason}; {fix}", inner)
    {
        Reason = reason;
        Fix = fix;
    }

    /// <summary>A few words for the step line.</summary>
    public string Reason { get; }

    /// <summary>What the user can do about it.</summary>
    public string Fix { get; }
}
