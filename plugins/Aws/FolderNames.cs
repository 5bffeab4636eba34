using System.IO.Enumeration;

namespace Atmos.Plugins.Aws;

/// <summary>
/// The names in a folder, read once from its directory entries (no stat per entry), so that many "is X there?"
/// questions about one folder cost one directory read instead of a syscall each (docs/performance.md).
/// </summary>
internal static class FolderNames
{
    /// <summary>
    /// The folder's entry names: empty when there is no such folder (nothing can be in it), null when it cannot be
    /// listed (then nothing may be ruled out: the caller looks at each name on its own).
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="skipFolders">Leave out entries that are folders (a symbolic link is looked through for that).</param>
    public static HashSet<string>? Read(string folder, bool skipFolders)
    {
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
            var names = new FileSystemEnumerable<string>(folder, (ref FileSystemEntry entry) => entry.FileName.ToString(), options);
            if (skipFolders)
            {
                names.ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory;
            }

            return new HashSet<string>(names, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
        {
            return []; // no such folder (or not a folder)
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // cannot tell
        }
    }
}
