using System.Runtime.InteropServices;
using Atmos.Plugins.Contracts.Safety;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Engine.Audit;

/// <summary>
/// Appends batches of lines to the audit file: under its <c>&lt;file&gt;.lock</c> (<see cref="FileLock"/>), each batch in
/// one <c>O_APPEND</c> write, the file created with mode 0600 in a folder created with mode 0700, and rotated by size
/// (docs/audit.md). Concurrent runs never interleave inside a line, and a reader sees whole lines only.
/// </summary>
public static partial class AuditFile
{
    /// <summary>A file that reaches this size is rotated before the next run appends to it.</summary>
    public const long RotateAtBytes = 10 * 1024 * 1024;

    /// <summary>How many rotated generations are kept: <c>audit.jsonl.1</c> (newest) to <c>audit.jsonl.3</c> (oldest).</summary>
    public const int KeptGenerations = 3;

    /// <summary>The file name at the default location.</summary>
    public const string DefaultFileName = "audit.jsonl";

    /// <summary>
    /// Appends <paramref name="lines"/> (whole lines, each ending in <c>\n</c>) to <paramref name="path"/> in one write.
    /// </summary>
    /// <param name="path">The audit file; its folder is created (0700) when missing.</param>
    /// <param name="lines">The bytes to append.</param>
    /// <param name="mayRotate">
    /// Whether the file may be rotated first. Only a run's first append may rotate, so the events of one run always
    /// land in one file.
    /// </param>
    /// <param name="lockTimeout">How long to wait for another run's append to finish.</param>
    /// <exception cref="UnsafePathException">The audit file is a symbolic link or not a regular file.</exception>
    /// <exception cref="LockTimeoutException">Another process held the audit lock for the whole wait.</exception>
    /// <exception cref="IOException">The file could not be written; nothing of this batch is left in it.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static void Append(string path, ReadOnlySpan<byte> lines, bool mayRotate, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            AtomicFile.CreateFolder(folder);
        }

        using var held = FileLock.Acquire(path, lockTimeout);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new UnsafePathException(path, "is a symbolic link; refusing to follow it");
        }

        if (Directory.Exists(path))
        {
            throw new UnsafePathException(path, "is a folder, not a file");
        }

        if (mayRotate && info.Exists && info.Length > 0 && info.Length + lines.Length > RotateAtBytes)
        {
            Rotate(path);
        }

        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,

            // Sharing is enforced by the .lock protocol; a replay may read the file meanwhile.
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = AtomicFile.FileMode0600;
        }

        using var stream = new FileStream(path, options);
        var handle = stream.SafeFileHandle;
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(handle) != AtomicFile.FileMode0600)
        {
            // Someone widened it (or created it with their umask): an audit of credentials is for its owner only.
            File.SetUnixFileMode(handle, AtomicFile.FileMode0600);
        }

        var sizeBefore = RandomAccess.GetLength(handle);
        try
        {
            Write(handle, lines, sizeBefore);
        }
        catch (IOException)
        {
            // A partial batch (disk full) would leave half a line for every reader to trip on: take it back.
            RandomAccess.SetLength(handle, sizeBefore);
            throw;
        }
    }

    /// <summary>The rotated generations of <paramref name="path"/> that exist, newest first.</summary>
    /// <param name="path">The audit file.</param>
    public static IReadOnlyList<string> Generations(string path) =>
        Enumerable.Range(1, KeptGenerations).Select(n => $"{path}.{n}").Where(File.Exists).ToList();

    // Caller holds the lock. Each rename is atomic, so a reader sees the old file or the new one, never a mix.
    private static void Rotate(string path)
    {
        File.Delete($"{path}.{KeptGenerations}");
        for (var generation = KeptGenerations - 1; generation >= 1; generation--)
        {
            if (File.Exists($"{path}.{generation}"))
            {
                File.Move($"{path}.{generation}", $"{path}.{generation + 1}");
            }
        }

        File.Move(path, $"{path}.1");
    }

    private static void Write(SafeFileHandle handle, ReadOnlySpan<byte> lines, long end)
    {
        if (!OperatingSystem.IsLinux())
        {
            // No portable non-variadic way to set O_APPEND elsewhere (fcntl is variadic on Apple arm64): append at
            // the end measured under the lock, which every cooperating writer holds.
            RandomAccess.Write(handle, lines, end);
            return;
        }

        var fd = (int)handle.DangerousGetHandle();
        var flags = Libc.Fcntl(fd, Libc.GetFlags, 0);
        if (flags < 0 || Libc.Fcntl(fd, Libc.SetFlags, flags | Libc.Append) < 0)
        {
            throw new IOException($"cannot open the audit file for appending: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        while (!lines.IsEmpty)
        {
            var written = Libc.Write(fd, lines);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.Interrupted)
                {
                    continue;
                }

                throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
            }

            lines = lines[(int)written..];
        }
    }

    private static unsafe partial class Libc
    {
        public const int GetFlags = 3;
        public const int SetFlags = 4;
        public const int Append = 0x400;
        public const int Interrupted = 4;

        public static nint Write(int fd, ReadOnlySpan<byte> bytes)
        {
            fixed (byte* buffer = bytes)
            {
                return WriteRaw(fd, buffer, bytes.Length);
            }
        }

        [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        public static partial int Fcntl(int fd, int command, int argument);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        private static partial nint WriteRaw(int fd, byte* buffer, nint count);
    }
}
