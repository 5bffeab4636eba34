using System.Globalization;
using Atmos.Plugins.Contracts.Safety.Native;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// Reads that cannot hang or blow up: a file is opened without blocking (a FIFO does not wait for a writer), by default
/// without following a symbolic link, and used only when <c>fstat</c> on the open file says it is a regular file no
/// larger than the limit. Anything else fails at once with an <see cref="UnsafePathException"/> naming the file and
/// what it is — "is a FIFO (named pipe)", "is a character device", "is 3.0 GiB" — so one bad file fails only the work
/// that needed it. Use these for every read while planning or inspecting; edits go through <see cref="AtomicFile"/>.
/// </summary>
public static class SafeFile
{
    /// <summary>The default size limit: far above any credentials, config or token file, far below a memory problem.</summary>
    public const long DefaultMaxBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Describes <paramref name="path"/> without following it (<c>lstat</c>): <see cref="EntryKind.Missing"/> when nothing
    /// is there, <see cref="EntryKind.Inaccessible"/> when a folder on the way cannot be searched — which means "cannot
    /// check", never "nothing stored".
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Describe what a link at the path points at instead of the link (<c>stat</c>).</param>
    public static EntryInfo Probe(string path, bool followLinks = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        Posix.EnsureSupported();
        if (Posix.TryStatusOfPath(path, followLinks, out var status, out var error))
        {
            return status.ToEntry();
        }

        return error == Posix.ENOENT || error == Posix.ENOTDIR ? EntryInfo.Missing
            : error is Posix.EACCES or Posix.EPERM ? EntryInfo.Inaccessible
            : throw Failure.For(error, path);
    }

    /// <summary>Reads a whole regular file (see the class remarks).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="followLinks">
    /// Follow a symbolic link at the path itself. Only for files the user points atmos at (atmos.yaml, plugins.json, a
    /// file to replay); credentials and caches are never read through a link.
    /// </param>
    /// <returns>The content.</returns>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="UnsafePathException">It is a link (unless followed), not a regular file, or larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes = DefaultMaxBytes, bool followLinks = false)
    {
        using var file = OpenRead(path, maxBytes, followLinks, out var status);
        return ReadAll(file, path, status, maxBytes);
    }

    /// <summary>
    /// Reads a whole regular file as text (checked as <see cref="ReadAllBytes"/> checks it), decoded as
    /// <see cref="File.ReadAllText(string)"/> decodes: UTF-8 unless a byte order mark says otherwise.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="followLinks">Follow a symbolic link at the path itself (see <see cref="ReadAllBytes"/>).</param>
    /// <returns>The text.</returns>
    public static string ReadAllText(string path, long maxBytes = DefaultMaxBytes, bool followLinks = false)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes, followLinks)), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Why a read or change failed, in a few words that follow "cannot read FILE: " — "it is a FIFO (named pipe), not a
    /// regular file; atmos left it alone", "permission denied", "read-only file system" — never the runtime's text for
    /// the exceptions the primitives throw.
    /// </summary>
    /// <param name="exception">What went wrong.</param>
    public static string Explain(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            UnsafePathException unsafePath => $"it {unsafePath.Problem}",
            FileSystemErrorException fileSystem => $"{fileSystem.Reason}; {fileSystem.Fix}",
            UnauthorizedAccessException => "permission denied",
            FileNotFoundException or DirectoryNotFoundException => "it does not exist",
            LockTimeoutException timeout => $"it stayed locked by another process for {timeout.Timeout.TotalSeconds:0.#} s",
            _ => exception.Message.ReplaceLineEndings(" ").Trim(),
        };
    }

    /// <summary>Opens a regular file for reading, checked as <see cref="ReadAllBytes"/> checks it, for readers that stream.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted (when opened).</param>
    /// <param name="followLinks">Follow a symbolic link at the path itself (see <see cref="ReadAllBytes"/>).</param>
    /// <returns>The open file.</returns>
    public static SafeFileHandle OpenRead(string path, long maxBytes = DefaultMaxBytes, bool followLinks = false) =>
        OpenRead(path, maxBytes, followLinks, out _);

    /// <summary>Describes an open file (<c>fstat</c>).</summary>
    /// <param name="file">The open file.</param>
    public static EntryInfo GetInfo(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        Posix.EnsureSupported();
        return Posix.TryStatus(FolderHandle.Fd(file), out var status, out var error) ? status.ToEntry() : throw Failure.For(error, "(open file)");
    }

    /// <summary>
    /// Writes all of <paramref name="bytes"/> to an open file at its current position (at its end for a file opened for
    /// appending, such as by <see cref="FolderHandle.OpenForAppend"/>). A full disk, a quota or a read-only file system
    /// is a <see cref="FileSystemErrorException"/> naming <paramref name="path"/>.
    /// </summary>
    /// <param name="file">The open file.</param>
    /// <param name="bytes">What to write.</param>
    /// <param name="path">The file's path, for messages.</param>
    public static void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        Posix.EnsureSupported();
        if (Posix.WriteAll(FolderHandle.Fd(file), bytes) is var error and not 0)
        {
            throw Failure.For(error, path);
        }
    }

    private static SafeFileHandle OpenRead(string path, long maxBytes, bool followLinks, out FileStatus status)
    {
        ArgumentNullException.ThrowIfNull(path);
        Posix.EnsureSupported();
        var full = Path.GetFullPath(path);
        var flags = Posix.ReadOnly | Posix.NonBlocking | Posix.NoControllingTerminal | Posix.CloseOnExec | (followLinks ? 0 : Posix.NoFollow);
        var fd = Posix.OpenAt(Posix.CurrentFolder, full, flags, 0, out var error);
        var file = FolderHandle.CheckedRegularFile(Posix.CurrentFolder, full, fd, error, path, out status);
        if (status.Size > maxBytes)
        {
            file.Dispose();
            throw TooLarge(path, status.Size, maxBytes);
        }

        return file;
    }

    /// <summary>Reads an open regular file to its end, refusing to read past <paramref name="maxBytes"/> (it may grow meanwhile).</summary>
    internal static byte[] ReadAll(SafeFileHandle file, string path, FileStatus status, long maxBytes)
    {
        if (status.Size > maxBytes)
        {
            throw TooLarge(path, status.Size, maxBytes);
        }

        var fd = FolderHandle.Fd(file);
        var buffer = new byte[(int)Math.Clamp(status.Size, 0, Array.MaxLength)];
        var length = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (length == buffer.Length)
            {
                // Full (or an empty size that is not the truth): see whether there is more before growing.
                var more = Posix.ReadAt(fd, probe, length, out var probeError);
                if (more < 0)
                {
                    throw Failure.For(probeError, path);
                }

                if (more == 0)
                {
                    return buffer;
                }

                if (length + 1 > maxBytes)
                {
                    throw TooLarge(path, length + 1, maxBytes);
                }

                var larger = new byte[(int)Math.Min(Math.Min(Math.Max(buffer.Length * 2L, 4096), maxBytes), Array.MaxLength)];
                buffer.AsSpan(0, length).CopyTo(larger);
                larger[length++] = probe[0];
                buffer = larger;
                continue;
            }

            var read = Posix.ReadAt(fd, buffer.AsSpan(length), length, out var error);
            if (read < 0)
            {
                throw Failure.For(error, path);
            }

            if (read == 0)
            {
                return length == buffer.Length ? buffer : buffer[..length];
            }

            length += read;
        }
    }

    /// <summary>A size for messages: "3.0 GiB", "12 KiB", "512 bytes".</summary>
    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static UnsafePathException TooLarge(string path, long size, long maxBytes) =>
        new(path, $"is {Size(size)}, more than the {Size(maxBytes)} atmos reads here; it is no file atmos wrote, so it was left alone", "too large");
}
