namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// Deletes that stay inside a base folder and never follow symbolic links (SPEC §4): a link is unlinked, its target
/// is left alone, and a path that resolves outside the base folder is refused.
/// </summary>
public static class ContainedPath
{
    /// <summary>
    /// Checks a single path segment used as a provider or identity name: not empty, no <c>/</c> or <c>\</c>, no
    /// <c>..</c>, no NUL or other control character, no leading <c>.</c>.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="problem">Why it is refused, when it is.</param>
    /// <returns>True when the name is safe to use as a folder or file name.</returns>
    public static bool IsSafeName(string name, out string? problem)
    {
        problem = name switch
        {
            null or "" => "is empty",
            _ when name.Contains('\0', StringComparison.Ordinal) => "contains a NUL byte",
            _ when name.Any(char.IsControl) => "contains a control character",
            _ when name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) => "contains a path separator ('/' or '\\')",
            _ when name.Contains("..", StringComparison.Ordinal) => "contains '..'",
            _ when name.StartsWith('.') => "starts with '.'",
            _ when name.Trim().Length != name.Length => "has leading or trailing white space",
            _ => null,
        };
        return problem is null;
    }

    /// <summary>
    /// Resolves <paramref name="path"/> and checks it lies strictly inside <paramref name="baseFolder"/> with no
    /// symbolic link between the base folder and it (the path itself may be a link; it will be unlinked, not followed).
    /// </summary>
    /// <param name="baseFolder">The folder deletes must stay in. It may itself be (or sit under) a link.</param>
    /// <param name="path">The path to check.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="UnsafePathException">The path leaves the base folder or crosses a link.</exception>
    public static string Resolve(string baseFolder, string path)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        ArgumentNullException.ThrowIfNull(path);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseFolder));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, root));
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, comparison))
        {
            throw new UnsafePathException(path, $"is outside the base folder {root}; refusing to touch it");
        }

        // Every folder strictly between the base and the path must be a real folder, not a link out of the base.
        var relative = full[(root.Length + 1)..].Split(Path.DirectorySeparatorChar);
        var current = root;
        for (var i = 0; i < relative.Length - 1; i++)
        {
            current = Path.Combine(current, relative[i]);
            if (new DirectoryInfo(current).LinkTarget is not null)
            {
                throw new UnsafePathException(path, $"lies under the symbolic link {current}; refusing to follow it");
            }
        }

        return full;
    }

    /// <summary>
    /// Deletes a file, a link or a whole folder inside <paramref name="baseFolder"/>. Links met on the way are unlinked,
    /// never followed.
    /// </summary>
    /// <param name="baseFolder">The folder deletes must stay in.</param>
    /// <param name="path">What to delete.</param>
    /// <returns>False when nothing was there.</returns>
    /// <exception cref="UnsafePathException">The path leaves the base folder or crosses a link.</exception>
    public static bool Delete(string baseFolder, string path)
    {
        var full = Resolve(baseFolder, path);
        FileSystemInfo info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            Unlink(info);
            return true;
        }

        if (Directory.Exists(full))
        {
            DeleteTree(new DirectoryInfo(full));
            return true;
        }

        if (File.Exists(full))
        {
            File.Delete(full);
            return true;
        }

        return false;
    }

    /// <summary>Removes <paramref name="folder"/> when it is empty and inside <paramref name="baseFolder"/>.</summary>
    /// <param name="baseFolder">The folder deletes must stay in.</param>
    /// <param name="folder">The folder to remove if empty.</param>
    /// <returns>True when the folder was removed.</returns>
    public static bool RemoveIfEmpty(string baseFolder, string folder)
    {
        var full = Resolve(baseFolder, folder);
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is not null || !info.Exists || info.EnumerateFileSystemInfos().Any())
        {
            return false;
        }

        try
        {
            info.Delete(recursive: false);
            return true;
        }
        catch (IOException)
        {
            return false; // something appeared meanwhile: not empty after all
        }
    }

    private static void DeleteTree(DirectoryInfo folder)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                Unlink(entry);
            }
            else if (entry is DirectoryInfo child)
            {
                DeleteTree(child);
            }
            else
            {
                entry.Delete();
            }
        }

        folder.Delete(recursive: false);
    }

    private static void Unlink(FileSystemInfo link)
    {
        if (OperatingSystem.IsWindows() && link.Attributes.HasFlag(FileAttributes.Directory))
        {
            Directory.Delete(link.FullName, recursive: false);
        }
        else
        {
            File.Delete(link.FullName);
        }
    }
}
