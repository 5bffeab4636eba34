using System.Runtime.InteropServices;
using System.Text;

namespace Atmos.Plugins.Contracts.Safety.Native;

/// <summary>
/// The libc calls the safe primitives are built on: every open, stat, unlink, rename and lock relative to a folder's
/// descriptor (the <c>*at</c> family), so that a path component swapped for a symbolic link between a check and an
/// operation cannot redirect the operation (docs/reliability.md). Linux (glibc and musl, any architecture .NET runs
/// on) and macOS; the constants that differ between them are chosen once here.
/// </summary>
/// <remarks>
/// Every call is non-variadic except <c>openat</c>, whose mode argument is variadic: on Apple arm64 variadic arguments
/// go on the stack, so there the mode is passed after five padding registers (<see cref="OpenAt"/>). Struct layouts are
/// read by offset: <c>struct statx</c> (identical on every Linux architecture), macOS's 64-bit-inode <c>struct stat</c>
/// and <c>struct dirent</c>. Only the Linux paths run in CI; the macOS paths follow Apple's headers.
/// </remarks>
internal static unsafe partial class Posix
{
    public static readonly bool IsMacOS = OperatingSystem.IsMacOS();

    // Linux on ARM and POWER moved O_DIRECTORY/O_NOFOLLOW; everything else uses the generic values.
    private static readonly bool LinuxArmLayout = !IsMacOS
        && RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm or Architecture.Armv6 or Architecture.Ppc64le;

    private static readonly bool AppleArm64 = IsMacOS && RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;
    public static readonly int NonBlocking = IsMacOS ? 0x4 : 0x800;
    public static readonly int Append = IsMacOS ? 0x8 : 0x400;
    public static readonly int Create = IsMacOS ? 0x200 : 0x40;
    public static readonly int Exclusive = IsMacOS ? 0x800 : 0x80;
    public static readonly int NoControllingTerminal = IsMacOS ? 0x20000 : 0x100;
    public static readonly int NoFollow = IsMacOS ? 0x100 : LinuxArmLayout ? 0x8000 : 0x20000;
    public static readonly int Directory = IsMacOS ? 0x100000 : LinuxArmLayout ? 0x4000 : 0x10000;
    public static readonly int CloseOnExec = IsMacOS ? 0x1000000 : 0x80000;

    /// <summary>Linux's O_PATH: a descriptor that only names a folder (search permission is enough to walk through it).</summary>
    public static readonly int PathOnly = IsMacOS ? 0 : 0x200000;

    public static readonly int SymlinkNoFollow = IsMacOS ? 0x20 : 0x100;
    public static readonly int RemoveDirectory = IsMacOS ? 0x80 : 0x200;
    private const int EmptyPath = 0x1000; // Linux AT_EMPTY_PATH

    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;

    // errno values: the first ones are the same everywhere, the rest differ between Linux and macOS.
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int EMLINK = 31;
    public static readonly int EAGAIN = IsMacOS ? 35 : 11;
    public static readonly int ELOOP = IsMacOS ? 62 : 40;
    public static readonly int ENAMETOOLONG = IsMacOS ? 63 : 36;
    public static readonly int ENOTEMPTY = IsMacOS ? 66 : 39;
    public static readonly int EDQUOT = IsMacOS ? 69 : 122;
    public static readonly int ENOSYS = IsMacOS ? 78 : 38;

    /// <summary>The folder descriptor meaning "the current folder" for the <c>*at</c> calls.</summary>
    public static readonly int CurrentFolder = IsMacOS ? -2 : -100;

    /// <summary>Whether this platform is one the safe primitives support.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() || IsMacOS;

    /// <summary>Throws when the platform is not supported (Windows, the BSDs).</summary>
    public static void EnsureSupported()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("the Atmos.Plugins file primitives need Linux or macOS (descriptor-relative file system calls)");
        }
    }

    /// <summary>The effective user id.</summary>
    public static uint EffectiveUserId => geteuid();

    public static int LastError => Marshal.GetLastPInvokeError();

    // ---- opening and closing -------------------------------------------------------------------------------------

    /// <summary><c>openat(folder, name, flags, mode)</c>, retried on EINTR; returns the descriptor or -1 (errno in <paramref name="error"/>).</summary>
    public static int OpenAt(int folder, string name, int flags, uint mode, out int error)
    {
        var bytes = Utf8(name);
        fixed (byte* path = bytes)
        {
            while (true)
            {
                var fd = AppleArm64 ? openat_apple_arm64(folder, path, flags, 0, 0, 0, 0, 0, (nint)mode) : openat(folder, path, flags, mode);
                error = fd < 0 ? LastError : 0;
                if (fd >= 0 || error != EINTR)
                {
                    return fd;
                }
            }
        }
    }

    public static void Close(int fd) => _ = close(fd);

    public static int Duplicate(int fd, out int error)
    {
        var copy = dup(fd);
        error = copy < 0 ? LastError : 0;
        return copy;
    }

    // ---- status --------------------------------------------------------------------------------------------------

    /// <summary><c>fstat</c> of an open descriptor.</summary>
    public static bool TryStatus(int fd, out FileStatus status, out int error) => Stat(fd, string.Empty, followLinks: true, out status, out error);

    /// <summary><c>fstatat(folder, name, AT_SYMLINK_NOFOLLOW)</c>: a link is described as a link.</summary>
    public static bool TryStatusAt(int folder, string name, out FileStatus status, out int error) => Stat(folder, name, followLinks: false, out status, out error);

    /// <summary><c>stat</c> or <c>lstat</c> of a path relative to the current folder.</summary>
    public static bool TryStatusOfPath(string path, bool followLinks, out FileStatus status, out int error) => Stat(CurrentFolder, path, followLinks, out status, out error);

    private static bool Stat(int folder, string name, bool followLinks, out FileStatus status, out int error)
    {
        var buffer = stackalloc byte[256];
        var bytes = Utf8(name);
        int rc;
        fixed (byte* path = bytes)
        {
            if (IsMacOS)
            {
                var flags = followLinks ? 0 : SymlinkNoFollow;
                rc = name.Length == 0
                    ? (RuntimeInformation.ProcessArchitecture == Architecture.X64 ? fstat_inode64(folder, buffer) : fstat(folder, buffer))
                    : (RuntimeInformation.ProcessArchitecture == Architecture.X64 ? fstatat_inode64(folder, path, buffer, flags) : fstatat(folder, path, buffer, flags));
                error = rc < 0 ? LastError : 0;
                status = rc < 0 ? default : FileStatus.FromMacStat(buffer);
                return rc == 0;
            }

            var statxFlags = (name.Length == 0 ? EmptyPath : 0) | (followLinks ? 0 : SymlinkNoFollow);
            rc = Statx(folder, path, statxFlags, buffer, out error);
            status = rc < 0 ? default : FileStatus.FromStatx(buffer);
            return rc == 0;
        }
    }

    // glibc 2.28+ and musl 1.2.5+ export statx; older ones only have the system call.
    private static bool _noStatxExport;

    private static int Statx(int folder, byte* path, int flags, byte* buffer, out int error)
    {
        const uint Mask = 0x7ff | 0x1000; // STATX_BASIC_STATS | STATX_MNT_ID
        int rc;
        if (!_noStatxExport)
        {
            try
            {
                rc = statx(folder, path, flags, Mask, buffer);
                error = rc < 0 ? LastError : 0;
                return rc;
            }
            catch (EntryPointNotFoundException)
            {
                _noStatxExport = true;
            }
        }

        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 332,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 291,
            Architecture.Arm or Architecture.Armv6 => 397,
            Architecture.Ppc64le => 383,
            Architecture.S390x => 379,
            _ => throw new PlatformNotSupportedException("statx is not available on this architecture"),
        };
        rc = (int)syscall_statx(number, folder, path, flags, Mask, buffer);
        error = rc < 0 ? LastError : 0;
        return rc;
    }

    // ---- folders -------------------------------------------------------------------------------------------------

    /// <summary>The names in an open folder (not <c>.</c> or <c>..</c>), read through a duplicate of its descriptor.</summary>
    public static bool TryReadNames(int folder, List<string> names, out int error)
    {
        var copy = dup(folder);
        if (copy < 0)
        {
            error = LastError;
            return false;
        }

        // The duplicate shares the position with the original: start from the beginning whatever an earlier listing did.
        _ = lseek(copy, 0, 0);
        var stream = IsMacOS && RuntimeInformation.ProcessArchitecture == Architecture.X64 ? fdopendir_inode64(copy) : fdopendir(copy);
        if (stream == 0)
        {
            error = LastError;
            _ = close(copy);
            return false;
        }

        try
        {
            var nameOffset = IsMacOS ? 21 : 19;
            while (true)
            {
                var entry = IsMacOS && RuntimeInformation.ProcessArchitecture == Architecture.X64 ? readdir_inode64(stream) : readdir(stream);
                if (entry == 0)
                {
                    error = LastError;
                    return error == 0;
                }

                var name = Marshal.PtrToStringUTF8(entry + nameOffset);
                if (name is not null and not "." and not "..")
                {
                    names.Add(name);
                }
            }
        }
        finally
        {
            _ = closedir(stream); // closes the duplicate
        }
    }

    public static bool TryMakeFolderAt(int folder, string name, uint mode, out int error)
    {
        fixed (byte* path = Utf8(name))
        {
            return Check(mkdirat(folder, path, mode), out error);
        }
    }

    public static bool TryUnlinkAt(int folder, string name, bool isFolder, out int error)
    {
        fixed (byte* path = Utf8(name))
        {
            return Check(unlinkat(folder, path, isFolder ? RemoveDirectory : 0), out error);
        }
    }

    public static bool TryRenameAt(int fromFolder, string from, int toFolder, string to, out int error)
    {
        var fromBytes = Utf8(from);
        var toBytes = Utf8(to);
        fixed (byte* f = fromBytes)
        fixed (byte* t = toBytes)
        {
            return Check(renameat(fromFolder, f, toFolder, t), out error);
        }
    }

    /// <summary>The target text of a symbolic link inside a folder, or null when it is not one.</summary>
    public static string? ReadLinkAt(int folder, string name)
    {
        var buffer = stackalloc byte[4096];
        fixed (byte* path = Utf8(name))
        {
            var length = (int)readlinkat(folder, path, buffer, 4096);
            return length < 0 ? null : Encoding.UTF8.GetString(buffer, Math.Min(length, 4096));
        }
    }

    /// <summary><c>realpath</c>: the path with every link resolved, or null when it cannot be resolved (missing...).</summary>
    public static string? RealPath(string path)
    {
        fixed (byte* p = Utf8(path))
        {
            var resolved = realpath(p, null);
            if (resolved == null)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8((nint)resolved);
            }
            finally
            {
                free(resolved);
            }
        }
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    public static bool TryChangeMode(int fd, uint mode, out int error) => Check(fchmod(fd, mode), out error);

    public static bool TryChangeOwner(int fd, uint owner, uint group, out int error) => Check(fchown(fd, owner, group), out error);

    public static bool TrySync(int fd, out int error) => Check(fsync(fd), out error);

    /// <summary><c>flock(fd, LOCK_EX | LOCK_NB)</c>: false with EAGAIN (EWOULDBLOCK) when another open file description holds it.</summary>
    public static bool TryLockExclusive(int fd, out int error)
    {
        while (true)
        {
            if (flock(fd, LockExclusive | LockNonBlocking) == 0)
            {
                error = 0;
                return true;
            }

            error = LastError;
            if (error != EINTR)
            {
                return false;
            }
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; -1 with errno on failure.</summary>
    public static int ReadAt(int fd, Span<byte> buffer, long offset, out int error)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = pread(fd, p, buffer.Length, offset);
                error = n < 0 ? LastError : 0;
                if (n >= 0 || error != EINTR)
                {
                    return (int)n;
                }
            }
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/> (at the end for a descriptor opened with O_APPEND); errno or 0.</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var p = start;
            var left = bytes.Length;
            while (left > 0)
            {
                var n = write(fd, p, left);
                if (n < 0)
                {
                    var error = LastError;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    return error;
                }

                p += n;
                left -= (int)n;
            }
        }

        return 0;
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /// <summary>The system's text for an errno value, lower case, such as "read-only file system".</summary>
    public static string Describe(int error)
    {
        var text = Marshal.GetPInvokeErrorMessage(error);
        return text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    private static bool Check(int rc, out int error)
    {
        error = rc < 0 ? LastError : 0;
        return rc == 0;
    }

    private static byte[] Utf8(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a file name cannot contain a NUL byte", nameof(text));
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int openat(int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int openat_apple_arm64(int fd, byte* path, int flags, nint r3, nint r4, nint r5, nint r6, nint r7, nint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int fd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_statx(long number, int fd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static partial int fstat_inode64(int fd, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstatat(int fd, byte* path, byte* buffer, int flags);

    [LibraryImport("libc", EntryPoint = "fstatat$INODE64", SetLastError = true)]
    private static partial int fstatat_inode64(int fd, byte* path, byte* buffer, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint fdopendir(int fd);

    [LibraryImport("libc", EntryPoint = "fdopendir$INODE64", SetLastError = true)]
    private static partial nint fdopendir_inode64(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint readdir(nint stream);

    [LibraryImport("libc", EntryPoint = "readdir$INODE64", SetLastError = true)]
    private static partial nint readdir_inode64(nint stream);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int closedir(nint stream);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mkdirat(int fd, byte* path, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlinkat(int fd, byte* path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int renameat(int fromFd, byte* from, int toFd, byte* to);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint readlinkat(int fd, byte* path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(int fd, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint pread(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport("libc")]
    private static partial void free(void* pointer);
}
