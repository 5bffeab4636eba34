namespace Atmos.Plugins.Contracts.Safety.Native;

/// <summary>
/// An errno turned into the exception the primitives document, with a message of our own that names the file (never
/// the runtime's text): permission denied, a link refused, the file system's own reasons named at once.
/// </summary>
internal static class Failure
{
    public static Exception For(int error, string path)
    {
        if (error == Posix.ENOENT)
        {
            return new FileNotFoundException($"{path} does not exist", path);
        }

        if (error is Posix.EACCES or Posix.EPERM)
        {
            return new UnauthorizedAccessException($"{path}: permission denied");
        }

        if (error == Posix.EEXIST)
        {
            return new IOException($"{path} already exists");
        }

        if (error == Posix.ELOOP)
        {
            return new UnsafePathException(path, "is a symbolic link; refusing to follow it");
        }

        if (error == Posix.ENOTDIR)
        {
            return new UnsafePathException(path, "lies under something that is not a folder");
        }

        if (error == Posix.EROFS)
        {
            return new FileSystemErrorException(path, "read-only file system", "the file system holding it is mounted read-only; remount it read-write (or run where it is writable) and try again");
        }

        if (error == Posix.ENOSPC)
        {
            return new FileSystemErrorException(path, "no space left on device", "the file system holding it is full; free some space and try again");
        }

        if (error == Posix.EDQUOT)
        {
            return new FileSystemErrorException(path, "disk quota exceeded", "your disk quota on that file system is used up; free some space and try again");
        }

        if (error == Posix.EIO)
        {
            return new FileSystemErrorException(path, "I/O error", "the device reported an error (see dmesg); check the disk and try again");
        }

        if (error == Posix.ENAMETOOLONG)
        {
            return new UnsafePathException(path, "is too long a path for this file system");
        }

        if (error == Posix.EBUSY)
        {
            return new FileSystemErrorException(path, "device or resource busy", "something holds it busy (a mount point, or a process using it); find it with: fuser -vm the path, then try again");
        }

        return new FileSystemErrorException(path, Posix.Describe(error), "check the file system and try again");
    }

    /// <summary>The error for an entry that is there but is not the kind expected (a FIFO where a file was expected...).</summary>
    public static UnsafePathException WrongKind(string path, EntryKind kind, string expected) =>
        new(path, $"is {EntryInfo.Describe(kind)}, not {expected}; atmos left it alone", $"not {expected}");

    /// <summary>The error for an entry that was a link when opened and is something else now: it is being swapped.</summary>
    public static UnsafePathException Swapped(string path) =>
        new(path, "was swapped for a symbolic link and back while atmos opened it; atmos left it alone", "unsafe path");

    /// <summary>The error for a mount point met on the way or inside a folder being removed.</summary>
    public static UnsafePathException MountPoint(string path) =>
        new(path, "is a mount point (another file system); atmos never works across mount points, so it left it alone", "mount point");
}
