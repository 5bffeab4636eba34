using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// An exclusive OS advisory lock on <c>&lt;file&gt;.lock</c>, taken with a bounded wait and removed on release.
/// </summary>
/// <remarks>
/// The lock is a <c>flock(LOCK_EX)</c> on Unix (what .NET takes for <see cref="FileShare.None"/>) and an exclusive
/// open on Windows. Because the lock file is deleted on release, a waiter can end up locking a file that was
/// unlinked after it opened it; it detects that and retries, so at most one process holds the lock on the file
/// currently at the path. Cooperating writers must follow the same protocol (lock, then check the lock file is
/// still linked).
/// </remarks>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;
    private bool _released;

    private FileLock(FileStream stream, string lockPath)
    {
        _stream = stream;
        LockPath = lockPath;
    }

    /// <summary>The lock file's path: the target path plus <c>.lock</c>.</summary>
    public string LockPath { get; }

    /// <summary>Takes the lock for <paramref name="targetPath"/>, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="targetPath">The file to be edited; its folder must exist.</param>
    /// <param name="timeout">How long to wait for another holder to finish.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="LockTimeoutException">Another process held the lock for the whole wait.</exception>
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be created (permission denied).</exception>
    public static FileLock Acquire(string targetPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetPath);
        return AcquireCore(targetPath, targetPath + ".lock", timeout, cancellationToken);
    }

    /// <summary>
    /// Takes an exclusive lock on the lock file <paramref name="lockPath"/> itself, for cooperating with another tool's
    /// lock convention (such as msal-extensions' <c>msal_token_cache.json.lockfile</c>, which the Azure CLI holds with
    /// <c>flock</c> while it rewrites its token cache). Same protocol as <see cref="Acquire"/>: bounded wait, lock file
    /// removed on release.
    /// </summary>
    /// <param name="lockPath">The lock file; its folder must exist.</param>
    /// <param name="timeout">How long to wait for another holder to finish.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="LockTimeoutException">Another process held the lock for the whole wait.</exception>
    /// <exception cref="DirectoryNotFoundException">The lock file's folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be created (permission denied).</exception>
    public static FileLock AcquireAt(string lockPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockPath);
        return AcquireCore(lockPath, lockPath, timeout, cancellationToken);
    }

    private static FileLock AcquireCore(string targetPath, string lockPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileStream? stream = null;
            try
            {
                var options = PrivateFile.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite);
                options.Options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None;
                stream = new FileStream(lockPath, options);
                if (IsStillLinked(stream.SafeFileHandle, lockPath))
                {
                    return new FileLock(stream, lockPath);
                }

                // The previous holder removed the file we locked; try again on the current one at once.
                stream.Dispose();
                continue;
            }
            catch (IOException ex) when (ex is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
            {
                // Held by someone else (sharing violation); wait below.
                stream?.Dispose();
            }

            if (Stopwatch.GetElapsedTime(started) >= timeout)
            {
                throw new LockTimeoutException(targetPath, timeout, lockPath);
            }

            // Jittered exponential back-off, capped, so 16 waiters do not retry in lock-step.
            var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * delay.TotalMilliseconds);
            if (cancellationToken.WaitHandle.WaitOne(delay + jitter))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>Removes the lock file and releases the lock.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (!OperatingSystem.IsWindows())
        {
            // Unlink while still holding the lock: whoever locks this inode next sees it unlinked and retries.
            try
            {
                File.Delete(LockPath);
            }
            catch (IOException)
            {
                // Best effort: a lock file left behind is harmless; the next holder removes it.
            }
            catch (UnauthorizedAccessException)
            {
                // Same: the lock is still released below.
            }
        }

        _stream.Dispose();
    }

    private static bool IsStillLinked(SafeFileHandle handle, string lockPath)
    {
        if (OperatingSystem.IsLinux())
        {
            var fd = handle.DangerousGetHandle().ToInt64();
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (target is not null)
            {
                return !target.EndsWith(" (deleted)", StringComparison.Ordinal);
            }

            return File.Exists(lockPath);
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return MacLinkCount(handle) is not 0;
        }

        // Windows: a file opened for DeleteOnClose cannot be opened again until it is gone.
        return true;
    }

    // struct stat on macOS (64-bit inode layout): dev_t st_dev (4 bytes), mode_t st_mode (2), nlink_t st_nlink (2).
    private static unsafe int MacLinkCount(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[512];
        var fd = (int)handle.DangerousGetHandle();
        int rc;
        try
        {
            rc = MacFstat64(fd, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            rc = MacFstat(fd, buffer);
        }

        return rc == 0 ? *(ushort*)(buffer + 6) : -1;
    }

    [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static extern unsafe int MacFstat64(int fd, byte* buffer);

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern unsafe int MacFstat(int fd, byte* buffer);
}

/// <summary>Another process held a file's lock for longer than the allowed wait.</summary>
public sealed class LockTimeoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file whose lock could not be taken.</param>
    /// <param name="timeout">How long the caller waited.</param>
    public LockTimeoutException(string path, TimeSpan timeout)
        : this(path, timeout, path + ".lock")
    {
    }

    /// <summary>Creates the exception for a lock file with a name of its own.</summary>
    /// <param name="path">The file (or lock file) whose lock could not be taken.</param>
    /// <param name="timeout">How long the caller waited.</param>
    /// <param name="lockPath">The lock file that stayed locked.</param>
    public LockTimeoutException(string path, TimeSpan timeout, string lockPath)
        : base($"{path} is locked by another process (waited {timeout.TotalSeconds:0.#} s for {lockPath})")
    {
        FilePath = path;
        Timeout = timeout;
    }

    /// <summary>The file whose lock could not be taken.</summary>
    public string FilePath { get; }

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Timeout { get; }
}
