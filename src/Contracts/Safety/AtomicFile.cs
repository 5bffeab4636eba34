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

/// <summary>What <see cref="AtomicFile.Edit"/> did.</summary>
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
/// same folder, flush it to disk, rename it over the original, keep mode 0600, then remove the lock file.
/// A reader therefore always sees the old or the new file, never a half-written one, even after <c>kill -9</c>.
/// </summary>
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
    /// throw (for example <see cref="MalformedFileException"/>), in which case the file is left untouched.
    /// </summary>
    /// <param name="path">The file to edit. A symbolic link is refused, never followed.</param>
    /// <param name="edit">Decides the new content from the current content.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; once writing starts it completes.</param>
    /// <returns>What happened to the file.</returns>
    /// <exception cref="UnsafePathException">The file is a symbolic link or not a regular file.</exception>
    public static EditOutcome Edit(string path, Func<byte[], FileEdit> edit, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(edit);
        if (!File.Exists(path) && !IsLink(path))
        {
            return EditOutcome.Missing;
        }

        return EditAll([path], contents => [contents[0] is { } current ? edit(current) : FileEdit.Unchanged], lockTimeout, cancellationToken)[0];
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
    /// <exception cref="UnsafePathException">One of the files is a symbolic link.</exception>
    /// <exception cref="LockTimeoutException">One of the locks stayed held by another process.</exception>
    public static IReadOnlyList<EditOutcome> EditAll(
        IReadOnlyList<string> paths,
        Func<IReadOnlyList<byte[]?>, IReadOnlyList<FileEdit>> edit,
        TimeSpan lockTimeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(edit);
        var files = paths.Select(p => Path.GetFullPath(p)).ToList();
        if (files.Count == 0 || files.Distinct(StringComparer.Ordinal).Count() != files.Count)
        {
            throw new ArgumentException("expected at least one path and no path twice", nameof(paths));
        }

        var locks = new List<FileLock>();
        try
        {
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                try
                {
                    locks.Add(FileLock.Acquire(file, lockTimeout, cancellationToken));
                }
                catch (DirectoryNotFoundException)
                {
                    // No folder, so no file: nothing to lock, and the edit sees it as missing.
                }
            }

            var contents = new byte[]?[files.Count];
            for (var i = 0; i < files.Count; i++)
            {
                var info = new FileInfo(files[i]);
                if (info.LinkTarget is not null)
                {
                    throw new UnsafePathException(files[i], "is a symbolic link; refusing to follow it");
                }

                if (info.Exists)
                {
                    RemoveStaleTemporaries(files[i]);
                    contents[i] = File.ReadAllBytes(files[i]);
                }
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
                outcomes[i] = contents[i] is null ? EditOutcome.Missing : Apply(files[i], decisions[i]);
            }

            return outcomes;
        }
        finally
        {
            for (var i = locks.Count - 1; i >= 0; i--)
            {
                locks[i].Dispose();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> under its lock, atomically, creating the folder
    /// (mode 0700) when needed.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="content">The complete content.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    public static void Write(string path, byte[] content, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        CreateFolder(folder);
        using var fileLock = FileLock.Acquire(path, lockTimeout, cancellationToken);
        RemoveStaleTemporaries(path);
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new UnsafePathException(path, "is a symbolic link; refusing to follow it");
        }

        WriteReplacing(path, content);
    }

    /// <summary>Creates a folder (and its parents) with mode 0700 where the platform has modes.</summary>
    /// <param name="folder">The folder to create.</param>
    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode0700);
        }
    }

    // Caller holds the lock.
    private static EditOutcome Apply(string path, FileEdit decision)
    {
        switch (decision.Kind)
        {
            case FileEditKind.Replace:
                WriteReplacing(path, decision.Content!);
                return EditOutcome.Replaced;
            case FileEditKind.Delete:
                File.Delete(path);
                return EditOutcome.Deleted;
            default:
                return EditOutcome.Unchanged;
        }
    }

    // Caller holds the lock. temp + fsync + rename: the only window in which the target changes is the rename itself.
    private static void WriteReplacing(string path, byte[] content)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, PrivateFile.Options(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void RemoveStaleTemporaries(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }

        // Only ever our own pattern for this one file, and only while holding its lock.
        foreach (var stale in Directory.EnumerateFiles(folder, $".{Path.GetFileName(path)}.*{TempSuffix}"))
        {
            TryDelete(stale);
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next edit's clean-up.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
