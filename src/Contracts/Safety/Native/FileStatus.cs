namespace Atmos.Plugins.Contracts.Safety.Native;

/// <summary>What <c>fstat</c>/<c>fstatat</c> say about one file system entry, independent of the platform's struct layout.</summary>
internal readonly struct FileStatus
{
    private const uint TypeMask = 0xF000;

    public uint Mode { get; init; }

    public ulong Device { get; init; }

    /// <summary>Linux's mount id (tells bind mounts of one file system apart); 0 where the platform has none.</summary>
    public ulong MountId { get; init; }

    public ulong Inode { get; init; }

    public ulong Links { get; init; }

    public uint Owner { get; init; }

    public uint Group { get; init; }

    public long Size { get; init; }

    public long ModifiedSeconds { get; init; }

    public long ModifiedNanoseconds { get; init; }

    public EntryKind Kind => (Mode & TypeMask) switch
    {
        0x8000 => EntryKind.File,
        0x4000 => EntryKind.Folder,
        0xA000 => EntryKind.SymbolicLink,
        0x1000 => EntryKind.Pipe,
        0xC000 => EntryKind.Socket,
        0x2000 => EntryKind.CharacterDevice,
        0x6000 => EntryKind.BlockDevice,
        _ => EntryKind.Unknown,
    };

    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    public DateTime LastWriteTimeUtc => DateTime.UnixEpoch.AddTicks((ModifiedSeconds * TimeSpan.TicksPerSecond) + (ModifiedNanoseconds / 100));

    /// <summary>Whether two statuses describe the same file (device and inode).</summary>
    public bool SameFileAs(in FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>Whether two folders are on the same mount (device, and on Linux the mount id, so a bind mount counts too).</summary>
    public bool SameMountAs(in FileStatus other) => Device == other.Device && (MountId == 0 || other.MountId == 0 || MountId == other.MountId);

    public EntryInfo ToEntry() => new(Kind, Size, LastWriteTimeUtc, Owner, Group, Permissions, Links, Device, Inode);

    // struct statx: the same layout on every Linux architecture.
    public static unsafe FileStatus FromStatx(byte* b) => new()
    {
        Links = *(uint*)(b + 16),
        Owner = *(uint*)(b + 20),
        Group = *(uint*)(b + 24),
        Mode = *(ushort*)(b + 28),
        Inode = *(ulong*)(b + 32),
        Size = *(long*)(b + 40),
        ModifiedSeconds = *(long*)(b + 112),
        ModifiedNanoseconds = *(uint*)(b + 120),
        Device = ((ulong)*(uint*)(b + 136) << 32) | *(uint*)(b + 140),
        MountId = (*(uint*)b & 0x1000) != 0 ? *(ulong*)(b + 144) : 0,
    };

    // macOS struct stat with 64-bit inodes: dev_t (int32) @0, mode_t (uint16) @4, nlink_t (uint16) @6, ino @8, uid @16,
    // gid @20, rdev @24, atime @32, mtime @48, ctime @64, birthtime @80, size @96.
    public static unsafe FileStatus FromMacStat(byte* b) => new()
    {
        Device = *(uint*)b,
        Mode = *(ushort*)(b + 4),
        Links = *(ushort*)(b + 6),
        Inode = *(ulong*)(b + 8),
        Owner = *(uint*)(b + 16),
        Group = *(uint*)(b + 20),
        ModifiedSeconds = *(long*)(b + 48),
        ModifiedNanoseconds = *(long*)(b + 56),
        Size = *(long*)(b + 96),
    };
}
