namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>
/// A test against a real, private Secret Service (dbus-run-session + gnome-keyring-daemon). Skipped, with the missing
/// programs named, when they are not installed: never silently passed.
/// </summary>
public sealed class SecretServiceFactAttribute : FactAttribute
{
    /// <summary>The programs the private Secret Service and its checks need.</summary>
    public static readonly string[] RequiredTools = ["dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool"];

    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the test cannot run here.</summary>
    public SecretServiceFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "the Secret Service tests run on Linux only";
            return;
        }

        var missing = Tools.Missing(RequiredTools);
        if (missing.Count > 0)
        {
            Skip = $"not installed: {string.Join(", ", missing)} (apt-get install -y dbus gnome-keyring libsecret-tools)";
        }
    }
}

/// <summary>A test of Linux behaviour (the Secret Service choice, Unix sockets); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux behaviour; runs on Linux only";
        }
    }
}

/// <summary>A test that calls the real macOS keychain through /usr/bin/security; skipped elsewhere.</summary>
public sealed class MacOSFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off macOS.</summary>
    public MacOSFactAttribute()
    {
        if (!OperatingSystem.IsMacOS())
        {
            Skip = "calls the real macOS keychain; runs on macOS only";
        }
    }
}

/// <summary>A test that calls the real Windows Credential Manager; skipped elsewhere.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Windows.</summary>
    public WindowsFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
        {
            Skip = "calls the real Windows Credential Manager; runs on Windows only";
        }
    }
}

/// <summary>A test that needs Unix file modes; skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> on Windows.</summary>
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "checks Unix file modes";
        }
    }
}
