using System.Globalization;
using System.Runtime.InteropServices;
using Atmos.Plugins.Contracts.Safety.Native;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// An open folder. Every operation names an entry directly inside it and goes through the folder's descriptor
/// (<c>openat</c>, <c>fstatat</c>, <c>unlinkat</c>, <c>renameat</c>), never through a path: once the folder is open,
/// swapping it — or anything above it — for a symbolic link cannot redirect an operation outside it. Entries are
/// never followed when they are links, opened files are opened without blocking and used only if they are regular
/// files of a sane size, and nothing crosses a mount point.
/// </summary>
/// <remarks>
/// Open a folder inside a base folder with <see cref="OpenBelow"/>: the base folder is configuration (its path may go
/// through links the user made), every folder below it is walked with <c>O_NOFOLLOW</c> and must be on the base
/// folder's mount. Linux and macOS (Linux is what CI runs); other platforms throw <see cref="PlatformNotSupportedException"/>.
/// </remarks>
public sealed class FolderHandle : IDisposable
{
    /// <summary>How deep <see cref="Delete"/> goes into nested folders before giving up on a tree.</summary>
    public const int MaxDepth = 128;

    private readonly SafeDescriptor _descriptor;
    private readonly bool _searchOnly;

    private FolderHandle(SafeDescriptor descriptor, FileStatus status, string fullPath, bool searchOnly)
    {
        _descriptor = descriptor;
        Status = status;
        FullPath = fullPath;
        _searchOnly = searchOnly;
    }

    /// <summary>The folder's path as it was opened (for messages; operations never use it).</summary>
    public string FullPath { get; }

    /// <summary>The folder itself: its owner, group and mode.</summary>
    public EntryInfo Info => Status.ToEntry();

    internal FileStatus Status { get; private set; }

    internal int Descriptor => (int)_descriptor.DangerousGetHandle();

    /// <summary>Opens a folder the caller trusts as configuration: links in its path are followed.</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The open folder.</returns>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="UnsafePathException">It is not a folder.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static FolderHandle Open(string folder) =>
        OpenIfExists(folder) ?? throw new DirectoryNotFoundException($"{Path.GetFullPath(folder)} does not exist");

    /// <summary>Like <see cref="Open"/>, but null when there is no such folder.</summary>
    /// <param name="folder">The folder.</param>
    public static FolderHandle? OpenIfExists(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Posix.EnsureSupported();
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return OpenAt(Posix.CurrentFolder, full, full, Posix.ReadOnly | Posix.Directory | Posix.CloseOnExec, parent: null);
    }

    /// <summary>
    /// Opens <paramref name="folder"/>, which must be <paramref name="baseFolder"/> or inside it. The base folder is
    /// opened as configuration (links in its path followed); every folder below it is opened without following links
    /// and must be on the base folder's mount.
    /// </summary>
    /// <param name="baseFolder">The folder operations must stay in.</param>
    /// <param name="folder">The folder to open.</param>
    /// <returns>The open folder, or null when it (or the base folder) does not exist.</returns>
    /// <exception cref="UnsafePathException">It is outside the base folder, or a folder on the way is a link, not a folder or a mount point.</exception>
    /// <exception cref="UnauthorizedAccessException">A folder on the way cannot be searched.</exception>
    public static FolderHandle? OpenBelow(string baseFolder, string folder)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        ArgumentNullException.ThrowIfNull(folder);
        var names = NamesBelow(baseFolder, folder, out var root);
        var current = OpenIfExists(root);
        for (var i = 0; current is not null && i < names.Count; i++)
        {
            var next = current.OpenFolder(names[i]);
            current.Dispose();
            current = next;
        }

        return current;
    }

    /// <summary>
    /// Creates <paramref name="folder"/> and any missing folder above it with mode 0700 exactly (whatever the umask),
    /// and opens it. Folders that exist are used as they are (a link among them is followed: they are the caller's
    /// configuration); a folder created inside one owned by another user, when running as root, is given that user
    /// (so a <c>sudo</c> run does not lock the user out).
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The open folder.</returns>
    public static FolderHandle CreateAndOpen(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Posix.EnsureSupported();
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var missing = new Stack<string>();
        var existing = full;
        FolderHandle? current;
        while ((current = OpenIfExists(existing)) is null)
        {
            missing.Push(Path.GetFileName(existing));
            existing = Path.GetDirectoryName(existing) ?? throw new DirectoryNotFoundException($"no folder of {full} exists");
        }

        while (missing.Count > 0)
        {
            var next = current.CreateFolder(missing.Pop());
            current.Dispose();
            current = next;
        }

        return current;
    }

    /// <summary>Opens a folder directly inside this one without following a link, on this folder's mount.</summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>The open folder, or null when nothing is there.</returns>
    /// <exception cref="UnsafePathException">It is a link, not a folder, or a mount point.</exception>
    /// <exception cref="UnauthorizedAccessException">It cannot be searched.</exception>
    public FolderHandle? OpenFolder(string name)
    {
        CheckName(name);
        return OpenAt(Descriptor, name, Path.Join(FullPath, name), Posix.ReadOnly | Posix.Directory | Posix.NoFollow | Posix.CloseOnExec, this);
    }

    /// <summary>
    /// Creates a folder directly inside this one with mode 0700 exactly (whatever the umask), or opens the folder that is
    /// already there; when running as root inside a folder owned by another user, the new folder is given to that user.
    /// </summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>The open folder.</returns>
    /// <exception cref="UnsafePathException">Something other than a folder is there (a link is never followed).</exception>
    public FolderHandle CreateFolder(string name)
    {
        CheckName(name);
        var created = Posix.TryMakeFolderAt(Descriptor, name, 0x1C0, out var error);
        if (!created && error != Posix.EEXIST)
        {
            throw Failure.For(error, Path.Join(FullPath, name));
        }

        var folder = OpenFolder(name) ?? throw new IOException($"{Path.Join(FullPath, name)} disappeared while it was being created");
        if (created)
        {
            folder.MakePrivate(this);
        }

        return folder;
    }

    /// <summary>Describes an entry directly inside this folder without following it (<c>fstatat(AT_SYMLINK_NOFOLLOW)</c>).</summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>What is there: <see cref="EntryKind.Missing"/> when nothing, <see cref="EntryKind.Inaccessible"/> when it cannot be checked.</returns>
    public EntryInfo GetEntry(string name)
    {
        CheckName(name);
        if (Posix.TryStatusAt(Descriptor, name, out var status, out var error))
        {
            return status.ToEntry();
        }

        return error == Posix.ENOENT || error == Posix.ENOTDIR ? EntryInfo.Missing
            : error is Posix.EACCES or Posix.EPERM ? EntryInfo.Inaccessible
            : throw Failure.For(error, Path.Join(FullPath, name));
    }

    /// <summary>The names of the entries in this folder (not <c>.</c> and <c>..</c>), in no particular order.</summary>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be listed.</exception>
    public IReadOnlyList<string> GetNames()
    {
        var names = new List<string>();
        if (_searchOnly || !Posix.TryReadNames(Descriptor, names, out var error))
        {
            throw new UnauthorizedAccessException($"{FullPath}: permission denied (it cannot be listed)");
        }

        _ = error;
        return names;
    }

    /// <summary>
    /// Reads a regular file directly inside this folder: opened without following a link and without blocking, and
    /// used only if it is a regular file of at most <paramref name="maxBytes"/>.
    /// </summary>
    /// <param name="name">The entry's name.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <returns>Its content.</returns>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="UnsafePathException">It is a link, a FIFO, a device, a folder..., or larger than <paramref name="maxBytes"/>.</exception>
    public byte[] ReadFile(string name, long maxBytes = SafeFile.DefaultMaxBytes) => ReadFile(name, maxBytes, out _);

    internal byte[] ReadFile(string name, long maxBytes, out FileStatus status)
    {
        CheckName(name);
        var path = Path.Join(FullPath, name);
        using var file = OpenRegularFile(name, Posix.ReadOnly, path, out status);
        return SafeFile.ReadAll(file, path, status, maxBytes);
    }

    /// <summary>
    /// Opens a file directly inside this folder for appending: the regular file that is there (never through a link,
    /// never a FIFO or device), or a new one created with mode 0600 (given to this folder's owner when running as root
    /// in another user's folder). The handle can also read.
    /// </summary>
    /// <param name="name">The entry's name.</param>
    /// <param name="created">Whether the file was created by this call.</param>
    /// <returns>The open file, positioned for appending.</returns>
    public SafeFileHandle OpenForAppend(string name, out bool created)
    {
        CheckName(name);
        var path = Path.Join(FullPath, name);
        var flags = Posix.ReadWrite | Posix.Append | Posix.NoFollow | Posix.NonBlocking | Posix.NoControllingTerminal | Posix.CloseOnExec;
        while (true)
        {
            created = false;
            var fd = Posix.OpenAt(Descriptor, name, flags, 0, out var error);
            if (fd < 0 && error == Posix.ENOENT)
            {
                fd = Posix.OpenAt(Descriptor, name, flags | Posix.Create | Posix.Exclusive, 0x180, out error);
                created = fd >= 0;
                if (fd < 0 && error == Posix.EEXIST)
                {
                    continue; // created by someone else meanwhile: open theirs
                }
            }

            var handle = Checked(fd, error, name, path, out var status);
            if (created)
            {
                InitializeCreated(handle, path, status);
            }

            return handle;
        }
    }

    /// <summary>Renames an entry of this folder to another name in it (replacing what is there, as <c>rename</c> does).</summary>
    /// <param name="from">The entry's name.</param>
    /// <param name="to">Its new name.</param>
    public void Rename(string from, string to)
    {
        CheckName(from);
        CheckName(to);
        if (!Posix.TryRenameAt(Descriptor, from, Descriptor, to, out var error))
        {
            throw Failure.For(error, Path.Join(FullPath, from));
        }
    }

    /// <summary>The text of a symbolic link directly inside this folder, or null when the entry is not a link.</summary>
    /// <param name="name">The entry's name.</param>
    public string? ReadLink(string name)
    {
        CheckName(name);
        return Posix.ReadLinkAt(Descriptor, name);
    }

    /// <summary>
    /// Deletes an entry directly inside this folder: a file, a link (unlinked, never followed), any other entry, or a
    /// folder with everything in it. A folder is emptied through its own descriptor; a folder on another mount is never
    /// entered (that fails the delete, naming it); every entry that can be removed is removed before the first problem
    /// is thrown.
    /// </summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>False when nothing was there.</returns>
    public bool Delete(string name)
    {
        CheckName(name);
        return DeleteEntry(name, depth: 0);
    }

    /// <summary>
    /// Removes a folder directly inside this one when it holds nothing, or nothing but lock files
    /// (<c>*.lock</c>) that nobody holds — a lock file is only ever removed together with its folder.
    /// </summary>
    /// <param name="name">The folder's name.</param>
    /// <returns>True when the folder was removed.</returns>
    public bool DeleteIfEmpty(string name)
    {
        CheckName(name);
        using var folder = OpenFolderOrNull(name);
        if (folder is null)
        {
            return false;
        }

        var names = folder.GetNames();
        if (names.Any(n => !n.EndsWith(FileLock.Suffix, StringComparison.Ordinal)))
        {
            return false;
        }

        // Hold every lock file while removing it, so no editor is between its lock and its write.
        var held = new List<FileLock>();
        try
        {
            foreach (var lockName in names)
            {
                if (folder.GetEntry(lockName).Kind != EntryKind.File || FileLock.TryAcquire(folder, lockName) is not { } taken)
                {
                    return false;
                }

                held.Add(taken);
            }

            if (folder.GetNames().Count != names.Count)
            {
                return false; // something appeared meanwhile
            }

            foreach (var lockName in names)
            {
                _ = Posix.TryUnlinkAt(folder.Descriptor, lockName, isFolder: false, out _);
            }

            if (Posix.TryUnlinkAt(Descriptor, name, isFolder: true, out var error) || error == Posix.ENOENT)
            {
                return true;
            }

            if (error == Posix.ENOTEMPTY || error == Posix.EEXIST)
            {
                return false; // a file appeared after the listing: the folder stays
            }

            throw Failure.For(error, Path.Join(FullPath, name));
        }
        finally
        {
            foreach (var taken in held)
            {
                taken.Dispose();
            }
        }
    }

    /// <summary>Closes the folder.</summary>
    public void Dispose() => _descriptor.Dispose();

    // ---- internals used by AtomicFile, FileLock, SafeFile -------------------------------------------------------

    /// <summary>Opens a regular file inside this folder (never following a link, never blocking), or throws naming it.</summary>
    internal SafeFileHandle OpenRegularFile(string name, int access, string path, out FileStatus status)
    {
        var fd = Posix.OpenAt(Descriptor, name, access | Posix.NoFollow | Posix.NonBlocking | Posix.NoControllingTerminal | Posix.CloseOnExec, 0, out var error);
        return Checked(fd, error, name, path, out status);
    }

    /// <summary>Creates a new file (it must not exist) with mode 0600, for writing.</summary>
    internal SafeFileHandle CreateFile(string name, out FileStatus status)
    {
        var path = Path.Join(FullPath, name);
        var fd = Posix.OpenAt(Descriptor, name, Posix.WriteOnly | Posix.Create | Posix.Exclusive | Posix.NoFollow | Posix.NonBlocking | Posix.NoControllingTerminal | Posix.CloseOnExec, 0x180, out var error);
        var handle = Checked(fd, error, name, path, out status);
        try
        {
            if (!Posix.TryChangeMode(Fd(handle), 0x180, out error))
            {
                throw Failure.For(error, path);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    internal void RenameOver(string from, string to)
    {
        if (!Posix.TryRenameAt(Descriptor, from, Descriptor, to, out var error))
        {
            throw Failure.For(error, Path.Join(FullPath, to));
        }
    }

    /// <summary>
    /// Unlinks an entry directly inside this folder that is not a folder: a file, a link (never followed), a FIFO...
    /// One <c>unlinkat</c>; use <see cref="Delete"/> for an entry that may be a folder.
    /// </summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>False when nothing was there.</returns>
    /// <exception cref="UnsafePathException">It is a folder.</exception>
    public bool Unlink(string name)
    {
        CheckName(name);
        if (Posix.TryUnlinkAt(Descriptor, name, isFolder: false, out var error))
        {
            return true;
        }

        if (error == Posix.ENOENT)
        {
            return false;
        }

        throw error == Posix.EISDIR || (error == Posix.EPERM && GetEntry(name).Kind == EntryKind.Folder)
            ? Failure.WrongKind(Path.Join(FullPath, name), EntryKind.Folder, "a file")
            : Failure.For(error, Path.Join(FullPath, name));
    }

    internal static int Fd(SafeHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>
    /// A file this process created inside this folder: mode 0600 exactly, and, when running as root in a folder owned by
    /// another user, that user's (so a <c>sudo</c> run does not leave root-owned files the user cannot open).
    /// </summary>
    internal void InitializeCreated(SafeHandle file, string path, FileStatus status)
    {
        if (!Posix.TryChangeMode(Fd(file), 0x180, out var error))
        {
            throw Failure.For(error, path);
        }

        GiveToOwnerOf(file, path, status, this);
    }

    // ---- private --------------------------------------------------------------------------------------------------

    private FolderHandle? OpenFolderOrNull(string name)
    {
        try
        {
            return OpenFolder(name);
        }
        catch (UnsafePathException)
        {
            return null;
        }
    }

    private void MakePrivate(FolderHandle parent)
    {
        if (!Posix.TryChangeMode(Descriptor, 0x1C0, out var error))
        {
            throw Failure.For(error, FullPath);
        }

        GiveToOwnerOf(_descriptor, FullPath, Status, parent);

        // What is inside gets this folder's owner, as it is now.
        Status = Posix.TryStatus(Descriptor, out var now, out error) ? now : throw Failure.For(error, FullPath);
    }

    private static void GiveToOwnerOf(SafeHandle created, string path, FileStatus status, FolderHandle folder)
    {
        if (Posix.EffectiveUserId == 0 && (status.Owner != folder.Status.Owner || status.Group != folder.Status.Group)
            && !Posix.TryChangeOwner(Fd(created), folder.Status.Owner, folder.Status.Group, out var error))
        {
            throw Failure.For(error, path);
        }
    }

    private SafeFileHandle Checked(int fd, int error, string name, string path, out FileStatus status) =>
        CheckedRegularFile(Descriptor, name, fd, error, path, out status);

    /// <summary>
    /// The result of opening <paramref name="name"/> relative to <paramref name="folder"/> (a folder descriptor, or the
    /// current folder with a full path), as a regular file: a failed open is explained (a link, a FIFO without a reader,
    /// a folder), and an open file that <c>fstat</c> says is not a regular file is closed and refused.
    /// </summary>
    internal static SafeFileHandle CheckedRegularFile(int folder, string name, int fd, int error, string path, out FileStatus status)
    {
        if (fd < 0)
        {
            if (error == Posix.ELOOP || error == Posix.ENXIO || error == Posix.EISDIR)
            {
                // Say what is there: a link, a FIFO without a reader, a folder.
                var kind = Posix.TryStatusAt(folder, name, out var there, out _) ? there.Kind : EntryKind.Unknown;
                throw kind switch
                {
                    EntryKind.SymbolicLink => new UnsafePathException(path, "is a symbolic link; refusing to follow it"),
                    EntryKind.File when error == Posix.ELOOP => Failure.Swapped(path),
                    _ => Failure.WrongKind(path, kind, "a regular file"),
                };
            }

            throw error == Posix.ENOTDIR ? new FileNotFoundException($"{path} does not exist", path) : Failure.For(error, path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!Posix.TryStatus(fd, out status, out error))
        {
            handle.Dispose();
            throw Failure.For(error, path);
        }

        if (status.Kind != EntryKind.File)
        {
            handle.Dispose();
            throw Failure.WrongKind(path, status.Kind, "a regular file");
        }

        return handle;
    }

    private bool DeleteEntry(string name, int depth)
    {
        var path = Path.Join(FullPath, name);
        if (!Posix.TryStatusAt(Descriptor, name, out var status, out var error))
        {
            return error == Posix.ENOENT ? false : throw Failure.For(error, path);
        }

        if (status.Kind != EntryKind.Folder)
        {
            if (Posix.TryUnlinkAt(Descriptor, name, isFolder: false, out error))
            {
                return true;
            }

            // EISDIR (Linux) / EPERM (macOS): it became a folder meanwhile; remove it as one.
            if (error != Posix.EISDIR && !(error == Posix.EPERM && Posix.TryStatusAt(Descriptor, name, out var now, out _) && now.Kind == EntryKind.Folder))
            {
                return error == Posix.ENOENT ? false : throw Failure.For(error, path);
            }
        }

        return DeleteTree(name, path, depth);
    }

    private bool DeleteTree(string name, string path, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new UnsafePathException(path, $"is nested more than {MaxDepth} folders deep; atmos left it alone", "nested too deep");
        }

        FolderHandle? folder;
        try
        {
            folder = OpenFolder(name);
        }
        catch (UnsafePathException) when (Posix.TryStatusAt(Descriptor, name, out var now, out _) && now.Kind != EntryKind.Folder)
        {
            // Replaced by a link or a file since it was looked at: unlink that (never follow it).
            return Unlink(name);
        }

        if (folder is null)
        {
            return false;
        }

        using (folder)
        {
            Exception? first = null;
            for (var attempt = 0; ; attempt++)
            {
                foreach (var entry in folder.GetNames())
                {
                    try
                    {
                        folder.DeleteEntry(entry, depth + 1);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        first ??= ex; // keep removing the rest: one bad entry does not stop the others
                    }
                }

                if (first is not null)
                {
                    throw first;
                }

                if (Posix.TryUnlinkAt(Descriptor, name, isFolder: true, out var error))
                {
                    return true;
                }

                if (error == Posix.ENOENT)
                {
                    return true; // someone else removed the (empty) folder
                }

                if (error == Posix.ENOTDIR || (Posix.TryStatusAt(Descriptor, name, out var now, out _) && !now.SameFileAs(folder.Status)))
                {
                    // The name now holds something else (swapped while its content was removed): that is left alone.
                    throw new UnsafePathException(path, "was replaced while atmos removed it; its content was removed, and what is there now was left alone");
                }

                if ((error != Posix.ENOTEMPTY && error != Posix.EEXIST) || attempt >= 3)
                {
                    throw error == Posix.ENOTEMPTY || error == Posix.EEXIST
                        ? new IOException($"{path}: other files kept appearing in it while atmos removed it; run the logout again")
                        : Failure.For(error, path);
                }
            }
        }
    }

    private static FolderHandle? OpenAt(int folder, string name, string path, int flags, FolderHandle? parent)
    {
        var searchOnly = false;
        var fd = Posix.OpenAt(folder, name, flags, 0, out var error);
        if (fd < 0 && error == Posix.EACCES && Posix.PathOnly != 0)
        {
            // No read permission but search permission: a descriptor that can still be walked through.
            fd = Posix.OpenAt(folder, name, flags | Posix.PathOnly, 0, out error);
            searchOnly = fd >= 0;
        }

        if (fd < 0)
        {
            if (error == Posix.ENOENT)
            {
                return null;
            }

            if (error == Posix.ELOOP || error == Posix.ENOTDIR)
            {
                // Say what is there (a link, a file...); nothing that can be described means a folder above is not one.
                var kind = Posix.TryStatusAt(folder, name, out var there, out var statError) ? there.Kind
                    : statError == Posix.ENOTDIR || statError == Posix.ENOENT ? EntryKind.Missing
                    : EntryKind.Unknown;
                throw kind switch
                {
                    EntryKind.SymbolicLink => new UnsafePathException(path, "is a symbolic link; refusing to follow it"),
                    EntryKind.Missing => new UnsafePathException(path, "lies under something that is not a folder"),
                    EntryKind.Folder => Failure.Swapped(path),
                    _ => Failure.WrongKind(path, kind, "a folder"),
                };
            }

            throw Failure.For(error, path);
        }

        var descriptor = new SafeDescriptor(fd);
        if (!Posix.TryStatus(fd, out var status, out error))
        {
            descriptor.Dispose();
            throw Failure.For(error, path);
        }

        if (status.Kind != EntryKind.Folder)
        {
            descriptor.Dispose();
            throw Failure.WrongKind(path, status.Kind, "a folder");
        }

        if (parent is not null && !status.SameMountAs(parent.Status))
        {
            descriptor.Dispose();
            throw Failure.MountPoint(path);
        }

        return new FolderHandle(descriptor, status, path, searchOnly);
    }

    // The names of the folders from the base folder down to the folder, checked to stay inside it.
    internal static List<string> NamesBelow(string baseFolder, string folder, out string root)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseFolder));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder, root));
        if (full == root)
        {
            return [];
        }

        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new UnsafePathException(folder, $"is outside the base folder {root}; refusing to touch it");
        }

        return [.. full[prefix.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)];
    }

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{name}' is not the name of an entry in a folder"), nameof(name));
        }
    }

    /// <summary>A folder descriptor, closed with <c>close</c>.</summary>
    private sealed class SafeDescriptor : SafeHandle
    {
        public SafeDescriptor(int fd)
            : base(-1, ownsHandle: true) => SetHandle(fd);

        public override bool IsInvalid => handle == -1;

        protected override bool ReleaseHandle()
        {
            Posix.Close((int)handle);
            return true;
        }
    }
}
