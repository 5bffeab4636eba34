using System.Diagnostics;
using Atmos.Plugins.Contracts.Safety.Native;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// An exclusive <c>flock(LOCK_EX)</c> on <c>&lt;file&gt;.lock</c>, taken with a bounded, cancellable wait. The lock
/// file stays where it is: it is created once (mode 0600, never through a link) and never removed while its folder
/// stays, exactly as real atmos (gofrs/flock) and <c>flock(1)</c> use it, so any of them excludes the others.
/// </summary>
/// <remarks>
/// <para>Protocol (docs/reliability.md): open <c>&lt;file&gt;.lock</c> without following a link (create it if missing),
/// check it is a regular file, <c>flock(LOCK_EX)</c>, then check that the path still names the file locked (a tool
/// that deletes its lock files — msal-extensions does — may have replaced it; then start again). Release closes the
/// file, which releases the lock; the file stays. A lock file goes only with its folder
/// (<see cref="FolderHandle.Delete"/>, <see cref="FolderHandle.DeleteIfEmpty"/>).</para>
/// <para>Errors are immediate, never a wait: a lock file that cannot be created (read-only file system, permission
/// denied) or is not a regular file fails at once, naming it.</para>
/// </remarks>
public sealed class FileLock : IDisposable
{
    /// <summary>The suffix of lock files: <c>credentials</c> is locked through <c>credentials.lock</c>.</summary>
    public const string Suffix = ".lock";

    private readonly SafeFileHandle _file;

    private FileLock(SafeFileHandle file, string lockPath)
    {
        _file = file;
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
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be created or opened (permission denied).</exception>
    /// <exception cref="UnsafePathException">The lock file is a symbolic link or not a regular file.</exception>
    /// <exception cref="FileSystemErrorException">The file system refused (read-only, full...).</exception>
    public static FileLock Acquire(string targetPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetPath);
        return AcquireByPath(targetPath, Path.GetFileName(targetPath) + Suffix, timeout, cancellationToken);
    }

    /// <summary>
    /// Takes an exclusive lock on the lock file <paramref name="lockPath"/> itself, for another tool's lock convention
    /// (such as msal-extensions' <c>msal_token_cache.json.lockfile</c>, which the Azure CLI holds with <c>flock</c> while
    /// it rewrites its token cache). Same protocol as <see cref="Acquire(string, TimeSpan, CancellationToken)"/>.
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
        return AcquireByPath(lockPath, Path.GetFileName(lockPath), timeout, cancellationToken);
    }

    /// <summary>
    /// Takes an exclusive lock on the lock file <paramref name="lockFileName"/> directly inside an open folder (for
    /// <c>credentials</c>, pass <c>credentials.lock</c>).
    /// </summary>
    /// <param name="folder">The folder, opened with <see cref="FolderHandle.OpenBelow"/>.</param>
    /// <param name="lockFileName">The lock file's name.</param>
    /// <param name="timeout">How long to wait for another holder to finish.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="LockTimeoutException">Another process held the lock for the whole wait.</exception>
    public static FileLock Acquire(FolderHandle folder, string lockFileName, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(lockFileName);
        var lockPath = Path.Join(folder.FullPath, lockFileName);
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(2);
        SafeFileHandle? file = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                file ??= Open(folder, lockFileName, lockPath);
                if (Posix.TryLockExclusive(FolderHandle.Fd(file), out var error))
                {
                    if (StillAt(folder, lockFileName, file))
                    {
                        var taken = new FileLock(file, lockPath);
                        file = null;
                        return taken;
                    }

                    // Locked a file that was unlinked or replaced meanwhile: lock the one at the path now.
                    file.Dispose();
                    file = null;
                    continue;
                }

                if (error != Posix.EAGAIN)
                {
                    throw Failure.For(error, lockPath);
                }

                if (Stopwatch.GetElapsedTime(started) >= timeout)
                {
                    throw new LockTimeoutException(lockPath[..^lockFileName.Length] + TargetName(lockFileName), timeout, lockPath);
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
        finally
        {
            file?.Dispose();
        }
    }

    /// <summary>One attempt, no wait: the lock, or null when someone else holds it.</summary>
    internal static FileLock? TryAcquire(FolderHandle folder, string lockFileName)
    {
        var lockPath = Path.Join(folder.FullPath, lockFileName);
        var file = Open(folder, lockFileName, lockPath);
        if (Posix.TryLockExclusive(FolderHandle.Fd(file), out _) && StillAt(folder, lockFileName, file))
        {
            return new FileLock(file, lockPath);
        }

        file.Dispose();
        return null;
    }

    /// <summary>Releases the lock (closing the lock file). The lock file stays.</summary>
    public void Dispose() => _file.Dispose();

    private static FileLock AcquireByPath(string path, string lockFileName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var folderPath = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"{path} has no folder", nameof(path));
        using var folder = FolderHandle.OpenIfExists(folderPath) ?? throw new DirectoryNotFoundException($"{folderPath} does not exist");
        return Acquire(folder, lockFileName, timeout, cancellationToken);
    }

    // The existing lock file (read-write as gofrs/flock opens it; read-only when that is all we may), or a new one; never
    // through a link, never blocking, only a regular file.
    private static SafeFileHandle Open(FolderHandle folder, string name, string lockPath)
    {
        var common = Posix.NoFollow | Posix.NonBlocking | Posix.NoControllingTerminal | Posix.CloseOnExec;
        while (true)
        {
            var fd = Posix.OpenAt(folder.Descriptor, name, Posix.ReadWrite | common, 0, out var error);
            if (fd < 0 && error == Posix.EACCES)
            {
                fd = Posix.OpenAt(folder.Descriptor, name, Posix.ReadOnly | common, 0, out error);
            }

            if (fd >= 0 || error != Posix.ENOENT)
            {
                return FolderHandle.CheckedRegularFile(folder.Descriptor, name, fd, error, lockPath, out _);
            }

            fd = Posix.OpenAt(folder.Descriptor, name, Posix.WriteOnly | Posix.Create | Posix.Exclusive | common, 0x180, out error);
            if (fd < 0 && error == Posix.EEXIST)
            {
                continue; // created by someone else meanwhile: open theirs
            }

            var created = FolderHandle.CheckedRegularFile(folder.Descriptor, name, fd, error, lockPath, out var status);
            try
            {
                folder.InitializeCreated(created, lockPath, status);
                return created;
            }
            catch
            {
                created.Dispose();
                throw;
            }
        }
    }

    // Whether the path still names the file we hold (a tool that unlinks its lock files may have replaced it).
    private static bool StillAt(FolderHandle folder, string name, SafeFileHandle file) =>
        Posix.TryStatus(FolderHandle.Fd(file), out var held, out _)
        && Posix.TryStatusAt(folder.Descriptor, name, out var atPath, out _)
        && held.SameFileAs(atPath);

    private static string TargetName(string lockFileName) =>
        lockFileName.EndsWith(Suffix, StringComparison.Ordinal) ? lockFileName[..^Suffix.Length] : lockFileName;
}

/// <summary>Another process held a file's lock for longer than the allowed wait.</summary>
public sealed class LockTimeoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file whose lock could not be taken.</param>
    /// <param name="timeout">How long the caller waited.</param>
    public LockTimeoutException(string path, TimeSpan timeout)
        : this(path, timeout, path + FileLock.Suffix)
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
