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

    /// <summary>Creates the keyring a run uses.</summary>
    /// <param name="settings"><c>auth.keyring</c> from atmos.yaml (or <see cref="KeyringSettings.Default"/>).</param>
    /// <param name="environment">The process environment: <c>ATMOS_KEYRING_TYPE</c>, <c>ATMOS_KEYRING_PASSWORD</c>, <c>DBUS_SESSION_BUS_ADDRESS</c>.</param>
    /// <param name="dataHome">The XDG data folder (<c>$XDG_DATA_HOME</c>, else <c>~/.local/share</c>), for the file keyring's default folder.</param>
    /// <returns>
    /// The backend wrapped in a <see cref="BoundedKeyring"/> with <see cref="KeyringSettings.Timeout"/>; the in-process
    /// memory keyring as it is (a dictionary cannot hang, and bounding it would move every call onto the thread pool).
    /// </returns>
    /// <exception cref="ArgumentException">The type is unknown or does not work on this OS.</exception>
    public static IKeyring Create(KeyringSettings settings, IReadOnlyDictionary<string, string> environment, string dataHome)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(dataHome);
        var (type, source) = environment.TryGetValue(TypeVariable, out var fromEnvironment) && !string.IsNullOrWhiteSpace(fromEnvironment)
            ? (fromEnvironment.Trim(), TypeVariable)
            : (settings.Type.Trim(), "auth.keyring.type");
        var backend = CreateBackend(type, source, settings, environment, dataHome);
        return backend is MemoryKeyring ? backend : new BoundedKeyring(backend, settings.Timeout);
    }

    private static IKeyring CreateBackend(
        string type,
        string source,
        KeyringSettings settings,
        IReadOnlyDictionary<string, string> environment,
        string dataHome)
    {
        switch (type.ToLowerInvariant())
        {
            case "system":
                return CreateSystem(source);
            case "file":
                var folder = settings.FilePath ?? (string.IsNullOrWhiteSpace(dataHome)
                    ? throw new ArgumentException("the file keyring needs a data folder: set XDG_DATA_HOME or HOME")
                    : Path.Combine(dataHome, "atmos", "keyring"));
                return new FileKeyring(folder, environment.GetValueOrDefault(FileKeyring.PasswordVariable));
            case "memory":
                return new MemoryKeyring();
            default:
                throw new ArgumentException(
                    $"unknown keyring type '{type}' ({source}); types that work on this OS: {string.Join(", ", AvailableTypes)}");
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
                $"keyring type 'system' ({from}) has no system keyring on this OS; types that work on this OS: {string.Join(", ", AvailableTypes)}");
        }
    }
}
