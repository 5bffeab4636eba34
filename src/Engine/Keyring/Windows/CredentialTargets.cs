using System.ComponentModel;
using System.Globalization;

namespace Atmos.Plugins.Engine.Keyring.Windows;

/// <summary>
/// The platform-independent half of the Windows Credential Manager keyring: entry name to target name and back, and
/// Win32 error codes to keyring failures. Target names are <c>&lt;name&gt;:atmos-auth</c>, as go-keyring (and so the
/// Go atmos) writes them.
/// </summary>
internal static class CredentialTargets
{
    /// <summary>ERROR_ACCESS_DENIED.</summary>
    public const int ErrorAccessDenied = 5;

    /// <summary>ERROR_INVALID_PARAMETER.</summary>
    public const int ErrorInvalidParameter = 87;

    /// <summary>ERROR_NOT_FOUND: no such credential; a normal answer.</summary>
    public const int ErrorNotFound = 1168;

    /// <summary>ERROR_NO_SUCH_LOGON_SESSION: no credential store in this logon session (services, network logons).</summary>
    public const int ErrorNoSuchLogonSession = 1312;

    /// <summary>ERROR_BAD_USERNAME: the user name is not valid for this credential type.</summary>
    public const int ErrorBadUsername = 2202;

    private const string Suffix = ":" + IKeyring.User;

    /// <summary>The target name of an entry.</summary>
    /// <param name="name">The entry name.</param>
    public static string Target(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name + Suffix;
    }

    /// <summary>The entry name of a target name, or null for credentials that are not ours.</summary>
    /// <param name="target">A credential's target name.</param>
    public static string? TryParseTarget(string? target) =>
        target is not null && target.Length > Suffix.Length && target.EndsWith(Suffix, StringComparison.Ordinal)
            ? target[..^Suffix.Length]
            : null;

    /// <summary>
    /// Whether a credential Credential Manager returned for <paramref name="name"/> is that entry: lookups ignore case,
    /// entry names do not (atmos stores <c>atmos_dev-admin</c>; <c>atmos_Dev-Admin</c> is another name).
    /// </summary>
    /// <param name="name">The entry name looked up.</param>
    /// <param name="target">The target name of the credential found.</param>
    public static bool IsExactly(string name, string? target) => string.Equals(TryParseTarget(target), name, StringComparison.Ordinal);

    /// <summary>The UTF-8 blob of a value, refused when Credential Manager cannot hold it.</summary>
    /// <param name="name">The entry name, for the error.</param>
    /// <param name="byteCount">The value's size in UTF-8 bytes.</param>
    public static void CheckSize(string name, int byteCount)
    {
        if (byteCount > Advapi32.MaxBlobSize)
        {
            throw new KeyringOperationException(
                $"value of '{name}' is too large for Windows Credential Manager ({byteCount.ToString(CultureInfo.InvariantCulture)} bytes, at most {Advapi32.MaxBlobSize.ToString(CultureInfo.InvariantCulture)})",
                "set auth.keyring.type: file for credentials this large");
        }
    }

    /// <summary>The failure for a Win32 error of a Credential Manager call (never <see cref="ErrorNotFound"/>).</summary>
    /// <param name="error">The error code from GetLastError.</param>
    public static Exception Map(int error) => error switch
    {
        ErrorNoSuchLogonSession => new KeyringUnavailableException(
            "Windows Credential Manager is not available in this logon session",
            "run atmos in an interactive logon session (not as a service or over a network logon), or set auth.keyring.type: file"),
        ErrorAccessDenied => new KeyringOperationException(
            "access denied by Windows Credential Manager",
            "check the credential's owner in Credential Manager, or set auth.keyring.type: file"),
        _ => new KeyringOperationException(
            $"Windows Credential Manager error {error.ToString(CultureInfo.InvariantCulture)}: {new Win32Exception(error).Message}",
            "check Credential Manager, or set auth.keyring.type: file"),
    };
}
