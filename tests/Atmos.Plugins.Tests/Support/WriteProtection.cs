using System.Diagnostics;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// Makes a folder refuse changes, as a folder owned by someone else does: mode 0500 for an ordinary user; for root,
/// who ignores modes, the immutable attribute (<c>chattr +i</c>, needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs).
/// </summary>
public static class WriteProtection
{
    private static readonly Lazy<string?> Unsupported = new(Probe);

    /// <summary>Why folders cannot be protected here, or null when they can.</summary>
    public static string? Problem => Unsupported.Value;

    /// <summary>Protects <paramref name="folder"/> until the result is disposed.</summary>
    public static IDisposable Protect(string folder)
    {
        if (Environment.UserName != "root")
        {
            var mode = File.GetUnixFileMode(folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new Undo(() => File.SetUnixFileMode(folder, mode));
        }

        Chattr("+i", folder);
        return new Undo(() => Chattr("-i", folder));
    }

    private static string? Probe()
    {
        var folder = Directory.CreateTempSubdirectory("atmos-protect-").FullName;
        try
        {
            using (Protect(folder))
            {
                try
                {
                    File.WriteAllText(Path.Join(folder, "probe"), "x");
                    return "a protected folder still accepted a new file";
                }
                catch (UnauthorizedAccessException)
                {
                    return null;
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("chattr could not be started");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"running as root and chattr {flag} failed ({error.Trim()}); needs CAP_LINUX_IMMUTABLE and ext4/xfs/btrfs");
        }
    }

    private sealed class Undo(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>A fact that needs <see cref="WriteProtection"/>; skipped with the reason otherwise.</summary>
public sealed class RequiresWriteProtectionFactAttribute : FactAttribute
{
    public RequiresWriteProtectionFactAttribute()
    {
        if (WriteProtection.Problem is { } problem)
        {
            Skip = $"cannot make a folder refuse writes here: {problem}";
        }
    }
}
