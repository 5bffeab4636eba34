namespace Atmos.Plugins.Engine.Keyring;

/// <summary>Which keyring to use and how (<c>auth.keyring</c> in atmos.yaml, overridden by <c>ATMOS_KEYRING_TYPE</c>).</summary>
/// <param name="Type"><c>system</c> (default: Secret Service, Keychain or Credential Manager by OS), <c>file</c> or <c>memory</c>.</param>
/// <param name="Timeout">The limit for each keyring call.</param>
/// <param name="FilePath">
/// For <c>file</c>: <c>auth.keyring.spec.path</c>, the folder holding the entries as written (<c>ATMOS_KEYRING_FILE_PATH</c>
/// overrides it); null = <c>DATA/keyring</c>, see <see cref="KeyringFactory.CreateFile"/>.
/// </param>
/// <param name="PasswordEnv">
/// For <c>file</c>: <c>auth.keyring.spec.password_env</c>, the environment variable holding the password
/// (<c>ATMOS_KEYRING_PASSWORD_ENV</c> overrides it); null = <c>ATMOS_KEYRING_PASSWORD</c>.
/// </param>
public sealed record KeyringSettings(string Type, TimeSpan Timeout, string? FilePath, string? PasswordEnv = null)
{
    /// <summary>The types users can choose.</summary>
    public static IReadOnlyList<string> Types { get; } = ["system", "file", "memory"];

    /// <summary>The defaults: the system keyring with a 3 s limit.</summary>
    public static KeyringSettings Default { get; } = new("system", BoundedKeyring.DefaultTimeout, null);
}
