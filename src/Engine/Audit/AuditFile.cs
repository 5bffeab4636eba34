using System.Runtime.InteropServices;
using Atmos.Plugins.Contracts.Safety;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Engine.Audit;

/// <summary>
/// Appends batches of lines to the audit file: under its <c>&lt;file&gt;.lock</c> (<see cref="FileLock"/>), each batch in
/// one <c>O_APPEND</c> write, rotated by size (docs/audit.md). Concurrent runs never interleave inside a line, and a
/// reader sees whole lines only.
/// </summary>
/// <remarks>
/// The audit file is only ever a regular file atmos creates (mode 0600, in a folder it creates with mode 0700) or one
/// that already is an atmos audit trail of the user running atmos: a single link, owned by that user (or, for root, by
/// the folder's owner), empty or starting with an atmos event. Anything else — a link, a FIFO, a device, another user's
/// file, a file that is not an audit trail such as <c>~/.bashrc</c> named by <c>auth.audit.path</c> — is refused at once,
/// and nothing is written or changed (an existing file is never chmodded).
/// </remarks>
public static partial class AuditFile
{
    /// <summary>A file that reaches this size is rotated before the next run appends to it.</summary>
    public const long RotateAtBytes = 10 * 1024 * 1024;

    /// <summary>How many rotated generations are kept: <c>audit.jsonl.1</c> (newest) to <c>audit.jsonl.3</c> (oldest).</summary>
    public const int KeptGenerations = 3;

    /// <summary>The file name at the default location.</summary>
    public const string DefaultFileName = "audit.jsonl";

    // Every line EventJson writes starts so: the mark of a file that is an atmos audit trail.
    private static readonly byte[] EventLineStart = "{\"type\":\""u8.ToArray();

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
    /// <param name="cancellationToken">Stops waiting for the lock.</param>
    /// <exception cref="UnsafePathException">The audit file is a link, not a regular file, or not an atmos audit trail of this user.</exception>
    /// <exception cref="LockTimeoutException">Another process held the audit lock for the whole wait.</exception>
    /// <exception cref="FileSystemErrorException">The file system refused (read-only, full...); nothing of this batch is left in the file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static void Append(string path, ReadOnlySpan<byte> lines, bool mayRotate, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        using var folder = FolderHandle.CreateAndOpen(Path.GetDirectoryName(full)!);
        using var held = FileLock.Acquire(folder, name + FileLock.Suffix, lockTimeout, cancellationToken);
        var entry = folder.GetEntry(name);
        switch (entry.Kind)
        {
            case EntryKind.Missing or EntryKind.File:
                break;
            case EntryKind.SymbolicLink:
                throw new UnsafePathException(full, "is a symbolic link; refusing to follow it");
            default:
                throw new UnsafePathException(full, $"is {EntryInfo.Describe(entry.Kind)}, not a regular file", "not a regular file");
        }

        if (mayRotate && entry.Kind == EntryKind.File && entry.Length > 0 && entry.Length + lines.Length > RotateAtBytes)
        {
            CheckOwnTrail(folder, name, full);
            Rotate(folder, name);
        }

        using var file = folder.OpenForAppend(name, out var created);
        if (!created)
        {
            CheckOwnTrail(file, folder, full);
        }

        var sizeBefore = RandomAccess.GetLength(file);
        try
        {
            SafeFile.Write(file, lines, full);
        }
        catch (IOException)
        {
            // A partial batch (disk full) would leave half a line for every reader to trip on: take it back.
            RandomAccess.SetLength(file, sizeBefore);
            throw;
        }
    }

    /// <summary>The rotated generations of <paramref name="path"/> that exist, newest first.</summary>
    /// <param name="path">The audit file.</param>
    public static IReadOnlyList<string> Generations(string path) =>
        Enumerable.Range(1, KeptGenerations).Select(n => $"{path}.{n}").Where(File.Exists).ToList();

    // Caller holds the lock. Each rename is atomic, so a reader sees the old file or the new one, never a mix.
    private static void Rotate(FolderHandle folder, string name)
    {
        folder.Delete($"{name}.{KeptGenerations}");
        for (var generation = KeptGenerations - 1; generation >= 1; generation--)
        {
            if (folder.GetEntry($"{name}.{generation}").Kind == EntryKind.File)
            {
                folder.Rename($"{name}.{generation}", $"{name}.{generation + 1}");
            }
        }

        folder.Rename(name, $"{name}.1");
    }

    private static void CheckOwnTrail(FolderHandle folder, string name, string path)
    {
        using var file = folder.OpenForAppend(name, out _);
        CheckOwnTrail(file, folder, path);
    }

    // An existing file is appended to only when it is this user's atmos audit trail (see the class remarks).
    private static void CheckOwnTrail(SafeFileHandle file, FolderHandle folder, string path)
    {
        var info = SafeFile.GetInfo(file);
        var user = Libc.EffectiveUserId();
        if (info.OwnerId != user && !(user == 0 && info.OwnerId == folder.Info.OwnerId))
        {
            throw new UnsafePathException(path, $"belongs to user {info.OwnerId}, not to the user running atmos ({user}); atmos appends only to its own audit trail", "not atmos's audit trail");
        }

        if (info.LinkCount > 1)
        {
            throw new UnsafePathException(path, "has other hard links; atmos appends only to an audit trail it created", "not atmos's audit trail");
        }

        if (info.Length == 0)
        {
            return;
        }

        Span<byte> start = stackalloc byte[16];
        var read = RandomAccess.Read(file, start[..EventLineStart.Length], 0);
        if (!start[..read].SequenceEqual(EventLineStart))
        {
            throw new UnsafePathException(path, "is not an atmos audit trail (it does not start with an atmos event); atmos appends only to its own", "not atmos's audit trail");
        }
    }

    private static partial class Libc
    {
        [LibraryImport("libc", EntryPoint = "geteuid")]
        public static partial uint EffectiveUserId();
    }
}
