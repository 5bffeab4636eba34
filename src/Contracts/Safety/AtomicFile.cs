using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>What an edit function decides for a file's content.</summary>
public readonly struct FileEdit
{
    private FileEdit(FileEditKind kind, byte[]? content)
    {
        Kind = kind;
        Content = content;
    }

    /// <summary>What to do with the file.</summary>
    public FileEditKind Kind { get; }

    /// <summary>The new content, for <see cref="FileEditKind.Replace"/>.</summary>
    public byte[]? Content { get; }

    /// <summary>Leave the file as it is.</summary>
    public static FileEdit Unchanged { get; } = new(FileEditKind.Unchanged, null);

    /// <summary>Delete the file (for example when no section is left in it).</summary>
    public static FileEdit Delete { get; } = new(FileEditKind.Delete, null);

    /// <summary>Replace the file's content atomically.</summary>
    /// <param name="content">The complete new content.</param>
    public static FileEdit Replace(byte[] content) => new(FileEditKind.Replace, content ?? throw new ArgumentNullException(nameof(content)));
}

/// <summary>The kinds of <see cref="FileEdit"/>.</summary>
public enum FileEditKind
{
    /// <summary>Leave the file as it is.</summary>
    Unchanged,

    /// <summary>Write new content.</summary>
    Replace,

    /// <summary>Remove the file.</summary>
    Delete,
}

/// <summary>What <see cref="AtomicFile.Edit(string, Func{byte[], FileEdit}, TimeSpan, CancellationToken)"/> did.</summary>
public enum EditOutcome
{
    /// <summary>The file (or its folder) did not exist; nothing was written.</summary>
    Missing,

    /// <summary>The edit left the file as it was.</summary>
    Unchanged,

    /// <summary>The file was replaced with new content.</summary>
    Replaced,

    /// <summary>The file was deleted.</summary>
    Deleted,
}

/// <summary>
/// Locked, atomic file edits (SPEC §4): take <c>&lt;file&gt;.lock</c> with a bounded wait, write a temporary file in the
/// same folder, flush it to disk, give it the original's owner and group, rename it over the original (mode 0600).
/// A reader therefore always sees the old or the new file, never a half-written one, even after <c>kill -9</c>.
/// </summary>
/// <remarks>
/// Every step goes through the folder's descriptor (<see cref="FolderHandle"/>): the file is read without following a
/// link and without blocking, and only if it is a regular file of at most <see cref="SafeFile.DefaultMaxBytes"/>; the
/// temporary file is created, renamed and the file deleted relative to the same descriptor. With a base folder
/// (<see cref="Edit(string, string, Func{byte[], FileEdit}, TimeSpan, CancellationToken)"/>), every folder below it is
/// walked without following links, so swapping any of them for a link cannot redirect the edit. An edit that cannot
/// keep the file's owner and group (another user's file) is refused with <see cref="FileSystemErrorException"/>.
/// </remarks>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files; leftovers from a killed process are removed by the next edit.</summary>
    public const string TempSuffix = ".atmos-tmp";

    /// <summary>Mode for files we write: owner read/write only.</summary>
    public const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode for folders we create: owner only.</summary>
    public const UnixFileMode FolderMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Edits a file under its lock. <paramref name="edit"/> receives the current bytes and returns what to do; it may
    /// throw (for example <see cref="MalformedFileException"/>), in which case the file is left untouched. The file's
    /// own folder is trusted as given (links in its path are followed); prefer the overload with a base folder.
    /// </summary>
    /// <param name="path">The file to edit. A symbolic link is refused, never followed.</param>
    /// <param name="edit">Decides the new content from the current content.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; once writing starts it completes.</param>
    /// <returns>What happened to the file.</returns>
    /// <exception cref="UnsafePathException">The file is a symbolic link, not a regular file, or too large.</exception>
    public static EditOutcome Edit(string path, Func<byte[], FileEdit> edit, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(edit);
        return EditCore(null, [path], contents => [contents[0] is { } current ? edit(current) : FileEdit.Unchanged], lockTimeout, cancellationToken)[0];
    }

    /// <summary>
    /// Edits a file inside <paramref name="baseFolder"/> under its lock: every folder from the base folder down to the
    /// file's is opened without following links and on the base folder's mount, and everything after goes through that
    /// folder's descriptor.
    /// </summary>
    /// <param name="baseFolder">The folder the edit must stay in (its own path may go through links: it is configuration).</param>
    /// <param name="path">The file to edit, inside <paramref name="baseFolder"/>.</param>
    /// <param name="edit">Decides the new content from the current content.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; once writing starts it completes.</param>
    /// <returns>What happened to the file (<see cref="EditOutcome.Missing"/> also when a folder on the way is missing).</returns>
    /// <exception cref="UnsafePathException">The path leaves the base folder, a folder on the way is a link or a mount point, or the file is not a regular file.</exception>
    public static EditOutcome Edit(string baseFolder, string path, Func<byte[], FileEdit> edit, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(edit);
        return EditCore(baseFolder, [path], contents => [contents[0] is { } current ? edit(current) : FileEdit.Unchanged], lockTimeout, cancellationToken)[0];
    }

    /// <summary>
    /// Edits several files as one change, for a format split over files (such as the Azure CLI's profile and token
    /// cache): takes every file's lock (in ordinal path order, so two callers cannot deadlock), reads every file, lets
    /// <paramref name="edit"/> decide each file's fate from all of them, and only then writes, in the order of
    /// <paramref name="paths"/>. If <paramref name="edit"/> throws (for example <see cref="MalformedFileException"/> for
    /// any one of the files), no file is touched.
    /// </summary>
    /// <param name="paths">The files: at least one, all different. Symbolic links are refused, never followed.</param>
    /// <param name="edit">
    /// Receives the current bytes of each file, in the order of <paramref name="paths"/> (null for a file that does not
    /// exist), and returns one decision per file in the same order. A file that does not exist must be left
    /// <see cref="FileEdit.Unchanged"/>.
    /// </param>
    /// <param name="lockTimeout">How long to wait for each lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the locks; once writing starts it completes.</param>
    /// <returns>What happened to each file, in the order of <paramref name="paths"/>.</returns>
    /// <exception cref="UnsafePathException">One of the files is a symbolic link or not a regular file.</exception>
    /// <exception cref="LockTimeoutException">One of the locks stayed held by another process.</exception>
    public static IReadOnlyList<EditOutcome> EditAll(
        IReadOnlyList<string> paths,
        Func<IReadOnlyList<byte[]?>, IReadOnlyList<FileEdit>> edit,
        TimeSpan lockTimeout,
        CancellationToken cancellationToken = default) =>
        EditCore(null, paths, edit, lockTimeout, cancellationToken);

    /// <summary>
    /// <see cref="EditAll(IReadOnlyList{string}, Func{IReadOnlyList{byte[]}, IReadOnlyList{FileEdit}}, TimeSpan, CancellationToken)"/>
    /// for files inside <paramref name="baseFolder"/>, every folder below it walked without following links.
    /// </summary>
    /// <param name="baseFolder">The folder the edit must stay in.</param>
    /// <param name="paths">The files: at least one, all different, all inside <paramref name="baseFolder"/>.</param>
    /// <param name="edit">Receives each file's bytes (null when missing) and returns one decision per file.</param>
    /// <param name="lockTimeout">How long to wait for each lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the locks; once writing starts it completes.</param>
    /// <returns>What happened to each file, in the order of <paramref name="paths"/>.</returns>
    public static IReadOnlyList<EditOutcome> EditAll(
        string baseFolder,
        IReadOnlyList<string> paths,
        Func<IReadOnlyList<byte[]?>, IReadOnlyList<FileEdit>> edit,
        TimeSpan lockTimeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        return EditCore(baseFolder, paths, edit, lockTimeout, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> under its lock, atomically, creating the folder
    /// (mode 0700) when needed. An existing file keeps its owner and group.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="content">The complete content.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    public static void Write(string path, byte[] content, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        using var folder = FolderHandle.CreateAndOpen(Path.GetDirectoryName(full)!);
        using var fileLock = FileLock.Acquire(folder, name + FileLock.Suffix, lockTimeout, cancellationToken);
        RemoveStaleTemporaries(folder, name);
        var existing = folder.GetEntry(name);
        switch (existing.Kind)
        {
            case EntryKind.Missing:
                WriteReplacing(folder, name, full, content, original: null);
                return;
            case EntryKind.File:
                WriteReplacing(folder, name, full, content, existing);
                return;
            case EntryKind.SymbolicLink:
                throw new UnsafePathException(path, "is a symbolic link; refusing to follow it");
            default:
                throw new UnsafePathException(path, $"is {EntryInfo.Describe(existing.Kind)}, not a regular file; atmos left it alone", "not a regular file");
        }
    }

    /// <summary>
    /// Creates a folder (and its parents) with mode 0700 exactly, whatever the umask; when running as root, a folder
    /// created inside another user's folder is given to that user.
    /// </summary>
    /// <param name="folder">The folder to create.</param>
    public static void CreateFolder(string folder) => FolderHandle.CreateAndOpen(folder).Dispose();

    private static IReadOnlyList<EditOutcome> EditCore(
        string? baseFolder,
        IReadOnlyList<string> paths,
        Func<IReadOnlyList<byte[]?>, IReadOnlyList<FileEdit>> edit,
        TimeSpan lockTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(edit);
        var files = paths.Select(p => baseFolder is null ? Path.GetFullPath(p) : Path.GetFullPath(p, Path.GetFullPath(baseFolder))).ToList();
        if (files.Count == 0 || files.Distinct(StringComparer.Ordinal).Count() != files.Count)
        {
            throw new ArgumentException("expected at least one path and no path twice", nameof(paths));
        }

        var folders = new Dictionary<string, FolderHandle?>(StringComparer.Ordinal);
        var locks = new List<FileLock>();
        try
        {
            foreach (var file in files)
            {
                var parent = Path.GetDirectoryName(file)!;
                if (!folders.ContainsKey(parent))
                {
                    // No folder, no file: nothing to lock, and the edit sees it as missing.
                    folders[parent] = baseFolder is null ? FolderHandle.OpenIfExists(parent) : FolderHandle.OpenBelow(baseFolder, parent);
                }
            }

            FolderHandle? FolderOf(string file) => folders[Path.GetDirectoryName(file)!];

            // A file that is not there has nothing to edit: no lock file is created beside it (a logout leaves folders it
            // has nothing to do in exactly as they were).
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                if (FolderOf(file) is { } folder && folder.GetEntry(Path.GetFileName(file)).Kind != EntryKind.Missing)
                {
                    locks.Add(FileLock.Acquire(folder, Path.GetFileName(file) + FileLock.Suffix, lockTimeout, cancellationToken));
                    present.Add(file);
                }
            }

            var contents = new byte[]?[files.Count];
            var originals = new EntryInfo[files.Count];
            for (var i = 0; i < files.Count; i++)
            {
                if (!present.Contains(files[i]) || FolderOf(files[i]) is not { } folder)
                {
                    continue;
                }

                var name = Path.GetFileName(files[i]);
                try
                {
                    contents[i] = folder.ReadFile(name, SafeFile.DefaultMaxBytes, out var status);
                    originals[i] = status.ToEntry();
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                RemoveStaleTemporaries(folder, name);
            }

            var decisions = edit(contents);
            if (decisions is null || decisions.Count != files.Count)
            {
                throw new InvalidOperationException($"the edit returned {decisions?.Count ?? 0} decisions for {files.Count} files");
            }

            if (Enumerable.Range(0, files.Count).Any(i => contents[i] is null && decisions[i].Kind != FileEditKind.Unchanged))
            {
                throw new InvalidOperationException("the edit tried to replace or delete a file that does not exist");
            }

            var outcomes = new EditOutcome[files.Count];
            for (var i = 0; i < files.Count; i++)
            {
                outcomes[i] = contents[i] is null ? EditOutcome.Missing : Apply(FolderOf(files[i])!, files[i], decisions[i], originals[i]);
            }

            return outcomes;
        }
        finally
        {
            for (var i = locks.Count - 1; i >= 0; i--)
            {
                locks[i].Dispose();
            }

            foreach (var folder in folders.Values)
            {
                folder?.Dispose();
            }
        }
    }

    // Caller holds the lock.
    private static EditOutcome Apply(FolderHandle folder, string path, FileEdit decision, EntryInfo original)
    {
        var name = Path.GetFileName(path);
        try
        {
            switch (decision.Kind)
            {
                case FileEditKind.Replace:
                    WriteReplacing(folder, name, path, decision.Content!, original);
                    return EditOutcome.Replaced;
                case FileEditKind.Delete:
                    return folder.Unlink(name) ? EditOutcome.Deleted : EditOutcome.Missing;
                default:
                    return EditOutcome.Unchanged;
            }
        }
        catch (FileNotFoundException)
        {
            // The folder was removed meanwhile (a provider logout running at the same time): the file went with it.
            return EditOutcome.Missing;
        }
    }

    // Caller holds the lock. temp + fsync + owner + rename: the only window in which the target changes is the rename.
    private static void WriteReplacing(FolderHandle folder, string name, string path, byte[] content, EntryInfo? original)
    {
        var temp = $".{name}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            using (var file = folder.CreateFile(temp, out var created))
            {
                if (original is { } kept)
                {
                    KeepOwner(file, path, created, kept);
                }
                else
                {
                    folder.InitializeCreated(file, path, created);
                }

                // A full disk or a quota is named at once, as the file being edited (the temporary file is ours).
                SafeFile.Write(file, content, path);
                if (!Native.Posix.TrySync(FolderHandle.Fd(file), out var error))
                {
                    throw Native.Failure.For(error, path);
                }
            }

            folder.RenameOver(temp, name);
        }
        catch
        {
            TryUnlink(folder, temp);
            throw;
        }
    }

    // The rewritten file gets the original's owner and group, or the edit is refused: never a root-owned credentials
    // file after a sudo run, never a file silently handed to whoever ran atmos.
    private static void KeepOwner(SafeFileHandle file, string path, Native.FileStatus created, EntryInfo original)
    {
        if ((created.Owner == original.OwnerId && created.Group == original.GroupId)
            || Native.Posix.TryChangeOwner(FolderHandle.Fd(file), original.OwnerId, original.GroupId, out _))
        {
            return;
        }

        throw new FileSystemErrorException(
            path,
            "owner cannot be kept",
            $"it belongs to user {original.OwnerId} and group {original.GroupId}, and atmos (user {Native.Posix.EffectiveUserId}) cannot give the rewritten file the same owner and group, so it left the file unchanged; run the logout as its owner");
    }

    private static void RemoveStaleTemporaries(FolderHandle folder, string name)
    {
        // Only ever our own pattern for this one file, and only while holding its lock.
        var prefix = $".{name}.";
        IReadOnlyList<string> names;
        try
        {
            names = folder.GetNames();
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in names)
        {
            if (entry.StartsWith(prefix, StringComparison.Ordinal) && entry.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                TryUnlink(folder, entry);
            }
        }
    }

    private static void TryUnlink(FolderHandle folder, string name)
    {
        try
        {
            folder.Unlink(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next edit's clean-up.
        }
    }
}
