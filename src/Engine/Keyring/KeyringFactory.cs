using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Engine.Keyring.Linux;
using Atmos.Plugins.Engine.Keyring.MacOS;
using Atmos.Plugins.Engine.Keyring.Windows;

namespace Atmos.Plugins.Engine.Keyring;

/// <summary>
/// Picks the keyring backend from the settings and the environment, and puts the time limit around it. An unknown
/// choice, or one that does not work on this OS, is refused with the list of choices that do.
/// </summary>
public static class KeyringFactory
{
    /// <summary>The environment variable that overrides <c>auth.keyring.type</c>.</summary>
    public const string TypeVariable = "ATMOS_KEYRING_TYPE";

    /// <summary>The environment variable holding the session bus address on Linux.</summary>
    public const string BusAddressVariable = "DBUS_SESSION_BUS_ADDRESS";

    /// <summary>The keyring types that work on this OS, in the order users should consider them.</summary>
    public static IReadOnlyList<string> AvailableTypes { get; } =
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows() ? ["system", "file", "memory"] : ["file", "memory"];

    /// <summary>The environment variable that overrides <c>auth.keyring.spec.path</c>: the file keyring's folder.</summary>
    public const string FilePathVariable = "ATMOS_KEYRING_FILE_PATH";

    /// <summary>The environment variable that overrides <c>auth.keyring.spec.password_env</c>: which variable holds the password.</summary>
    public const string PasswordEnvVariable = "ATMOS_KEYRING_PASSWORD_ENV";

    /// <summary>Creates the keyring a run uses.</summary>
    /// <param name="settings"><c>auth.keyring</c> from atmos.yaml (or <see cref="KeyringSettings.Default"/>).</param>
    /// <param name="environment">
    /// The process environment: <c>ATMOS_KEYRING_TYPE</c>, the file keyring's <c>ATMOS_KEYRING_FILE_PATH</c>,
    /// <c>ATMOS_KEYRING_PASSWORD_ENV</c> and password, the XDG data folders, <c>DBUS_SESSION_BUS_ADDRESS</c>.
    /// </param>
    /// <param name="home">The home folder, for <c>~</c> and the default data folder.</param>
    /// <returns>
    /// The backend wrapped in a <see cref="BoundedKeyring"/> with <see cref="KeyringSettings.Timeout"/>; the in-process
    /// memory keyring as it is (a dictionary cannot hang, and bounding it would move every call onto the thread pool).
    /// </returns>
    /// <exception cref="ArgumentException">The type is unknown or does not work on this OS, or the file keyring has no folder.</exception>
    public static IKeyring Create(KeyringSettings settings, IReadOnlyDictionary<string, string> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(home);
        var (type, source) = environment.TryGetValue(TypeVariable, out var fromEnvironment) && !string.IsNullOrWhiteSpace(fromEnvironment)
            ? (fromEnvironment.Trim(), TypeVariable)
            : (settings.Type.Trim(), "auth.keyring.type");
        var backend = CreateBackend(type, source, settings, environment, home);
        return backend is MemoryKeyring ? backend : new BoundedKeyring(backend, settings.Timeout);
    }

    /// <summary>
    /// The file keyring as atmos locates it (<c>pkg/auth/credentials/keyring_backends.go</c>): the folder from
    /// <c>$ATMOS_KEYRING_FILE_PATH</c>, else <c>auth.keyring.spec.path</c>, else <c>DATA/keyring</c> with DATA =
    /// <c>${ATMOS_XDG_DATA_HOME:-${XDG_DATA_HOME:-~/.local/share}}/atmos</c>; a leading <c>~</c> is the home folder, and a
    /// path whose last segment has an extension (<c>~/.atmos/keyring.db</c>) means its parent folder, as atmos reads it.
    /// The password is in the variable named by <c>$ATMOS_KEYRING_PASSWORD_ENV</c>, else
    /// <c>auth.keyring.spec.password_env</c>, else <c>ATMOS_KEYRING_PASSWORD</c>.
    /// </summary>
    /// <param name="settings"><c>auth.keyring</c>.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    /// <exception cref="ArgumentException">No folder can be worked out (no home for <c>~</c> or the default).</exception>
    public static FileKeyring CreateFile(KeyringSettings settings, IReadOnlyDictionary<string, string> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(home);
        var (configured, source) = FirstSet(environment.GetValueOrDefault(FilePathVariable), FilePathVariable, settings.FilePath, "auth.keyring.spec.path");
        string folder;
        if (configured is null)
        {
            var dataHome = PathExpansion.DataHome(environment, home);
            folder = Path.IsPathFullyQualified(dataHome)
                ? Path.Join(dataHome, "atmos", "keyring")
                : throw new ArgumentException("the file keyring needs a data folder: set XDG_DATA_HOME or HOME", nameof(home));
        }
        else
        {
            var expanded = PathExpansion.ExpandTilde(configured, home)
                ?? throw new ArgumentException($"the file keyring folder '{configured}' ({source}) cannot be expanded: ~ needs HOME, and ~user is not supported", nameof(settings));
            folder = HasExtension(expanded) ? Path.GetDirectoryName(Path.GetFullPath(expanded))! : expanded;
        }

        var (passwordVariable, _) = FirstSet(environment.GetValueOrDefault(PasswordEnvVariable), PasswordEnvVariable, settings.PasswordEnv, "auth.keyring.spec.password_env");
        passwordVariable ??= FileKeyring.PasswordVariable;
        return new FileKeyring(folder, environment.GetValueOrDefault(passwordVariable), passwordVariable);
    }

    private static (string? Value, string Source) FirstSet(string? first, string firstSource, string? second, string secondSource) =>
        !string.IsNullOrWhiteSpace(first) ? (first.Trim(), firstSource)
        : !string.IsNullOrWhiteSpace(second) ? (second.Trim(), secondSource)
        : (null, string.Empty);

    // Go's filepath.Ext is not empty: the last segment has a dot, even a leading one (".atmos-keyring").
    private static bool HasExtension(string path) => Path.GetFileName(path).Contains('.', StringComparison.Ordinal);

    private static IKeyring CreateBackend(
        string type,
        string source,
        KeyringSettings settings,
        IReadOnlyDictionary<string, string> environment,
        string home)
    {
        switch (type.ToLowerInvariant())
        {
            case "system":
                return CreateSystem(source);
            case "file":
                return CreateFile(settings, environment, home);
            case "memory":
                return new MemoryKeyring();
            default:
                throw new ArgumentException(
                    $"unknown keyring type '{type}' ({source}); types that work on this OS: {string.Join(", ", AvailableTypes)}",
                    nameof(settings));
        }

        IKeyring CreateSystem(string from)
        {
            if (OperatingSystem.IsLinux())
            {
                // Empty, not null, when unset: the keyring then reports "no session bus" instead of reading the
                // process environment behind the caller's back.
                return new SecretServiceKeyring(environment.GetValueOrDefault(BusAddressVariable) ?? string.Empty);
            }

            if (OperatingSystem.IsMacOS())
            {
                return new MacOSKeychain();
            }

            if (OperatingSystem.IsWindows())
            {
                return new WindowsCredentialManager();
            }

            throw new ArgumentException(
                $"keyring type 'system' ({from}) has no system keyring on this OS; types that work on this OS: {string.Join(", ", AvailableTypes)}",
                nameof(settings));
        }
    }
}
