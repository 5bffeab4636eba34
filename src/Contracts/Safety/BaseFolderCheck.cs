using Atmos.Plugins.Contracts.Safety.Native;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// Whether a folder may be one atmos deletes folders inside (a provider's base folder, a realm folder): never the root
/// folder, the home folder or a folder above it, or a system folder, wherever links make it resolve. A base folder that
/// resolves to <c>~</c> with a provider named <c>Documents</c> would make a provider logout delete <c>~/Documents</c>.
/// </summary>
/// <example>
/// <code>
/// if (BaseFolderCheck.Problem(realmFolder, "auth.realm 'prod'", environment.HomeDirectory) is { } problem)
/// {
///     // refuse, showing `problem`: it names the setting, where it resolves and what to do
/// }
/// </code>
/// </example>
public static class BaseFolderCheck
{
    // System folders: atmos never deletes inside them, whatever a setting says (Linux and macOS).
    private static readonly string[] SystemFolders =
    [
        "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt", "/opt",
        "/proc", "/root", "/run", "/sbin", "/snap", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/local",
        "/usr/sbin", "/usr/share", "/var", "/var/lib", "/var/tmp", "/Applications", "/Library", "/System", "/Users",
        "/Volumes", "/cores", "/private", "/private/etc", "/private/tmp", "/private/var",
    ];

    // Folders whose whole subtree belongs to the system.
    private static readonly string[] SystemTrees = ["/bin", "/boot", "/dev", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr", "/System", "/Library"];

    /// <summary>
    /// Null when <paramref name="folder"/> may be a folder atmos deletes folders inside; otherwise one sentence naming
    /// <paramref name="setting"/>, where it resolves and what to do.
    /// </summary>
    /// <param name="folder">The folder as configured, made absolute (links in it are resolved here).</param>
    /// <param name="setting">The setting that gave it, as the user wrote it, such as <c>spec.files.base_path '~'</c>.</param>
    /// <param name="homeDirectory">The user's home folder.</param>
    public static string? Problem(string folder, string setting, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(homeDirectory);
        var resolved = Resolve(folder);
        var home = Resolve(homeDirectory);
        var what = resolved switch
        {
            "/" => "the root folder /",
            _ when resolved == home => $"your home folder {home}",
            _ when home.StartsWith(resolved + "/", StringComparison.Ordinal) => $"{resolved}, a folder above your home folder",
            _ when SystemFolders.Contains(resolved, StringComparer.Ordinal) || SystemTrees.Any(t => resolved.StartsWith(t + "/", StringComparison.Ordinal)) => $"the system folder {resolved}",
            _ => null,
        };
        return what is null
            ? null
            : $"{setting} resolves to {what}; a logout deletes folders inside it, so it must be a folder of atmos's own (such as ~/.config/atmos/<cloud>); fix the setting";
    }

    // The path with every link of its existing part resolved (what a delete inside it would really reach).
    private static string Resolve(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Posix.IsSupported)
        {
            return full;
        }

        var missing = new Stack<string>();
        var existing = full;
        string? real;
        while ((real = Posix.RealPath(existing)) is null && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }

        var result = real ?? existing;
        while (missing.Count > 0)
        {
            result = Path.Join(result, missing.Pop());
        }

        return result.Length > 1 ? Path.TrimEndingDirectorySeparator(result) : result;
    }
}
