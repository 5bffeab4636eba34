using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Atmos.Plugins.Engine.Keyring.Windows;

/// <summary>
/// The Windows system keyring: generic credentials in Credential Manager with target <c>&lt;name&gt;:atmos-auth</c>
/// and user <c>atmos-auth</c>, through the wincred API. Values are stored as UTF-8, as go-keyring stores them.
/// </summary>
/// <remarks>The calls are local and synchronous; <see cref="BoundedKeyring"/> runs them off the caller's thread.</remarks>
[SupportedOSPlatform("windows")]
public sealed class WindowsCredentialManager : IKeyring
{
    /// <inheritdoc />
    public string Backend => "credential-manager";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The filter only matches prefixes, so every credential is listed and ours are picked by their suffix.
        if (!Advapi32.CredEnumerate(null, 0, out var count, out var credentials))
        {
            var error = Marshal.GetLastPInvokeError();
            return error == CredentialTargets.ErrorNotFound
                ? Task.FromResult<IReadOnlyList<string>>([])
                : throw CredentialTargets.Map(error);
        }

        try
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var credential = Marshal.PtrToStructure<Advapi32.Credential>(Marshal.ReadIntPtr(credentials, i * IntPtr.Size));
                if (credential.Type == Advapi32.CredTypeGeneric
                    && CredentialTargets.TryParseTarget(Marshal.PtrToStringUni(credential.TargetName)) is { } name)
                {
                    names.Add(name);
                }
            }

            return Task.FromResult<IReadOnlyList<string>>(names.ToList());
        }
        finally
        {
            Advapi32.CredFree(credentials);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read(name) is { } secret)
            {
                found[name] = secret;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string?>>(found);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Target names are case-insensitive in Credential Manager, so the credential is read first and removed only when
    /// its target is exactly this name's: removing <c>atmos_Dev-Admin</c> never deletes what atmos stored as
    /// <c>atmos_dev-admin</c> (that name's own removal does).
    /// </remarks>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Read(name) is null)
        {
            return Task.FromResult(false);
        }

        if (Advapi32.CredDelete(CredentialTargets.Target(name), Advapi32.CredTypeGeneric, 0))
        {
            return Task.FromResult(true);
        }

        var error = Marshal.GetLastPInvokeError();
        return error == CredentialTargets.ErrorNotFound ? Task.FromResult(false) : throw CredentialTargets.Map(error);
    }

    /// <inheritdoc />
    public unsafe Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        cancellationToken.ThrowIfCancellationRequested();
        var target = CredentialTargets.Target(name);
        var blob = Encoding.UTF8.GetBytes(secret);
        try
        {
            CredentialTargets.CheckSize(name, blob.Length);
            fixed (char* targetName = target)
            fixed (char* userName = IKeyring.User)
            fixed (byte* blobBytes = blob)
            {
                var credential = new Advapi32.Credential
                {
                    Type = Advapi32.CredTypeGeneric,
                    TargetName = (nint)targetName,
                    CredentialBlobSize = blob.Length,
                    CredentialBlob = (nint)blobBytes,
                    Persist = Advapi32.CredPersistLocalMachine,
                    UserName = (nint)userName,
                };
                if (!Advapi32.CredWrite(credential, 0))
                {
                    throw CredentialTargets.Map(Marshal.GetLastPInvokeError());
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }

        return Task.CompletedTask;
    }

    // The value of the credential whose target is exactly this name's (lookups ignore case), or null.
    private static string? Read(string name)
    {
        if (!Advapi32.CredRead(CredentialTargets.Target(name), Advapi32.CredTypeGeneric, 0, out var pointer))
        {
            var error = Marshal.GetLastPInvokeError();
            return error == CredentialTargets.ErrorNotFound ? null : throw CredentialTargets.Map(error);
        }

        try
        {
            var credential = Marshal.PtrToStructure<Advapi32.Credential>(pointer);
            if (!CredentialTargets.IsExactly(name, Marshal.PtrToStringUni(credential.TargetName)))
            {
                return null;
            }

            var blob = new byte[credential.CredentialBlobSize];
            Marshal.Copy(credential.CredentialBlob, blob, 0, blob.Length);
            var secret = Encoding.UTF8.GetString(blob);
            CryptographicOperations.ZeroMemory(blob);
            return secret;
        }
        finally
        {
            Advapi32.CredFree(pointer);
        }
    }
}
