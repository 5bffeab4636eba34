using System.Runtime.InteropServices;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>
/// Running as root over another user's files, running as that user (<c>setpriv</c>), and mounts: what the ownership,
/// permission and read-only tests need. The user is <c>nobody</c> (65534).
/// </summary>
public static partial class AsUsers
{
    public const uint Nobody = 65534;

    /// <summary>Whether this process runs as root.</summary>
    public static bool IsRoot => EffectiveUserId() == 0;

    /// <summary>Hands every file and folder under <paramref name="path"/> (itself included) to <paramref name="user"/>.</summary>
    public static void Chown(string path, uint user) => Run("chown", "-R", $"{user}:{user}", path);

    /// <summary>Makes the folders above a temp HOME searchable, so that another user can reach it.</summary>
    public static void OpenUpTo(TempHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        File.SetUnixFileMode(home.Root, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Runs a program as <paramref name="user"/> with <paramref name="environment"/>.</summary>
    public static Processes.Outcome RunAs(uint user, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        Processes.Run("setpriv", [$"--reuid={user}", $"--regid={user}", "--clear-groups", program, .. args], environment, workingDirectory);

    /// <summary>Mounts <paramref name="folder"/> over itself read-only (a bind mount); dispose to unmount.</summary>
    public static IDisposable MountReadOnly(string folder)
    {
        Run("mount", "--bind", folder, folder);
        try
        {
            Run("mount", "-o", "remount,bind,ro", folder);
        }
        catch
        {
            Run("umount", folder);
            throw;
        }

        return new Unmount(folder);
    }

    /// <summary>Mounts a small tmpfs on <paramref name="folder"/>; dispose to unmount.</summary>
    public static IDisposable MountTmpfs(string folder)
    {
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder);
        return new Unmount(folder);
    }

    /// <summary>Why a root-only test cannot run here, or null when it can (root, and mounts work when asked).</summary>
    public static string? MissingPrivilege(bool mounts)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux only (setpriv, mount)";
        }

        if (!IsRoot)
        {
            return "needs root (chown, setpriv, mount); CI runs as root";
        }

        if (!mounts)
        {
            return null;
        }

        var probe = Directory.CreateTempSubdirectory("atmos-mount-probe-").FullName;
        try
        {
            using (MountTmpfs(probe))
            {
            }

            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"needs mount permission (CAP_SYS_ADMIN): {ex.Message}";
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var result = Processes.Run(program, args, new Dictionary<string, string>());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {result.Stderr.Trim()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint EffectiveUserId();

    private sealed class Unmount(string folder) : IDisposable
    {
        public void Dispose() => Run("umount", folder);
    }
}

/// <summary>A fact that runs only as root on Linux (and, with <c>mounts</c>, where mounting works); skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute(bool mounts = false) => Skip = AsUsers.MissingPrivilege(mounts);
}

/// <summary>A theory that runs only as root on Linux; skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
{
    public RequiresRootTheoryAttribute() => Skip = AsUsers.MissingPrivilege(mounts: false);
}
