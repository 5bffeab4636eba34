using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>Why a test cannot run here, or null when it can: tests are skipped with a reason, never silently passed.</summary>
internal static class SkipReason
{
    /// <summary>The programs the private Secret Service and its checks need.</summary>
    public static readonly string[] SecretServiceTools = ["dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool"];

    /// <summary>For tests against a real, private Secret Service (dbus-run-session + gnome-keyring-daemon).</summary>
    public static string? NoSecretService()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the Secret Service tests run on Linux only";
        }

        var missing = Tools.Missing(SecretServiceTools);
        return missing.Count == 0
            ? null
            : $"not installed: {string.Join(", ", missing)} (apt-get install -y dbus gnome-keyring libsecret-tools)";
    }

    /// <summary>For tests that only make sense on one OS.</summary>
    public static string? Unless(bool runsHere, string what) => runsHere ? null : what;
}

/// <summary>A test against a real, private Secret Service; skipped, naming the missing programs, when they are not installed.</summary>
public sealed class SecretServiceFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the test cannot run here.</summary>
    public SecretServiceFactAttribute() => Skip = SkipReason.NoSecretService();
}

/// <summary>The theory form of <see cref="SecretServiceFactAttribute"/>.</summary>
public sealed class SecretServiceTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the test cannot run here.</summary>
    public SecretServiceTheoryAttribute() => Skip = SkipReason.NoSecretService();
}

/// <summary>A test of Linux behaviour (the Secret Service choice, Unix sockets); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Linux.</summary>
    public LinuxFactAttribute() => Skip = SkipReason.Unless(OperatingSystem.IsLinux(), "Linux behaviour; runs on Linux only");
}

/// <summary>A test that calls the real macOS keychain through /usr/bin/security; skipped elsewhere.</summary>
public sealed class MacOSFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off macOS.</summary>
    public MacOSFactAttribute() => Skip = SkipReason.Unless(OperatingSystem.IsMacOS(), "calls the real macOS keychain; runs on macOS only");
}

/// <summary>A test that calls the real Windows Credential Manager; skipped elsewhere.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Windows.</summary>
    public WindowsFactAttribute() => Skip = SkipReason.Unless(OperatingSystem.IsWindows(), "calls the real Windows Credential Manager; runs on Windows only");
}

/// <summary>A test that needs Unix file modes or a POSIX shell; skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> on Windows.</summary>
    public UnixFactAttribute() => Skip = SkipReason.Unless(!OperatingSystem.IsWindows(), "needs Unix file modes and a POSIX shell");
}
