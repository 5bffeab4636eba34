namespace Atmos.Plugins.Contracts.Safety;

/// <summary>What a file system entry is, seen without following a symbolic link.</summary>
public enum EntryKind
{
    /// <summary>Nothing is there.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    File,

    /// <summary>A folder.</summary>
    Folder,

    /// <summary>A symbolic link (whatever it points at).</summary>
    SymbolicLink,

    /// <summary>A FIFO (named pipe): opening it for reading would wait for a writer.</summary>
    Pipe,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A character device such as <c>/dev/zero</c>.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>Some other kind of entry.</summary>
    Unknown,

    /// <summary>It cannot be checked: a folder on the way cannot be searched (permission denied). Not "missing".</summary>
    Inaccessible,
}

/// <summary>One file system entry, described without following a symbolic link (<c>lstat</c>).</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Length">Its size in bytes (for a link, the length of its target text).</param>
/// <param name="LastWriteTimeUtc">When its content last changed.</param>
/// <param name="OwnerId">Its owner's user id.</param>
/// <param name="GroupId">Its group id.</param>
/// <param name="Mode">Its permission bits.</param>
/// <param name="LinkCount">How many names it has (hard links).</param>
/// <param name="Device">The device it is on.</param>
/// <param name="Inode">Its inode number: with <paramref name="Device"/>, which file it is whatever its name.</param>
public readonly record struct EntryInfo(
    EntryKind Kind,
    long Length,
    DateTime LastWriteTimeUtc,
    uint OwnerId,
    uint GroupId,
    UnixFileMode Mode,
    ulong LinkCount,
    ulong Device,
    ulong Inode)
{
    /// <summary>An entry that is not there.</summary>
    public static EntryInfo Missing { get; } = new(EntryKind.Missing, 0, default, 0, 0, 0, 0, 0, 0);

    /// <summary>An entry that cannot be checked (permission denied on the way).</summary>
    public static EntryInfo Inaccessible { get; } = new(EntryKind.Inaccessible, 0, default, 0, 0, 0, 0, 0, 0);

    /// <summary>Whether two entries are the same file (same device and inode), whatever their names.</summary>
    /// <param name="other">The other entry.</param>
    public bool IsSameFileAs(EntryInfo other) => Exists && other.Exists && Device == other.Device && Inode == other.Inode;

    /// <summary>Whether something is there (false for <see cref="EntryKind.Missing"/> and <see cref="EntryKind.Inaccessible"/>).</summary>
    public bool Exists => Kind is not (EntryKind.Missing or EntryKind.Inaccessible);

    /// <summary>The kind in words for messages, with an article: "a FIFO (named pipe)", "a character device"...</summary>
    /// <param name="kind">The kind.</param>
    public static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.Missing => "missing",
        EntryKind.File => "a regular file",
        EntryKind.Folder => "a folder",
        EntryKind.SymbolicLink => "a symbolic link",
        EntryKind.Pipe => "a FIFO (named pipe)",
        EntryKind.Socket => "a socket",
        EntryKind.CharacterDevice => "a character device",
        EntryKind.BlockDevice => "a block device",
        EntryKind.Inaccessible => "not accessible (permission denied)",
        _ => "not a regular file",
    };
}
