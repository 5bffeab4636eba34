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
    /// Deletes a file, a link or a whole folder inside <paramref name="baseFolder"/>. Every folder below the base folder
    /// is opened without following links and the delete goes through the descriptor of the folder holding the entry
    /// (<see cref="FolderHandle.Delete"/>): a link is unlinked, never followed, even one swapped in while the delete
    /// runs; a folder on another mount is never entered.
    /// </summary>
    /// <param name="baseFolder">The folder deletes must stay in.</param>
    /// <param name="path">What to delete, strictly inside <paramref name="baseFolder"/>.</param>
    /// <returns>False when nothing was there.</returns>
    /// <exception cref="UnsafePathException">The path leaves the base folder, or a folder on the way is a link or a mount point.</exception>
    public static bool Delete(string baseFolder, string path)
    {
        using var parent = ParentOf(baseFolder, path, out var name);
        return parent is not null && parent.Delete(name);
    }

    /// <summary>
    /// Removes <paramref name="folder"/> when it is inside <paramref name="baseFolder"/> and holds nothing, or nothing but
    /// lock files nobody holds (<see cref="FolderHandle.DeleteIfEmpty"/>).
    /// </summary>
    /// <param name="baseFolder">The folder deletes must stay in.</param>
    /// <param name="folder">The folder to remove if empty.</param>
    /// <returns>True when the folder was removed.</returns>
    public static bool RemoveIfEmpty(string baseFolder, string folder)
    {
        try
        {
            using var parent = ParentOf(baseFolder, folder, out var name);
            return parent is not null && parent.DeleteIfEmpty(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // left as it is: removing an empty folder is tidying, never a failure of the logout
        }
    }

    // The folder holding `path` (opened below the base folder without following links), or null when it is missing.
    internal static FolderHandle? ParentOf(string baseFolder, string path, out string name)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        ArgumentNullException.ThrowIfNull(path);
        var names = FolderHandle.NamesBelow(baseFolder, path, out var root);
        if (names.Count == 0)
        {
            throw new UnsafePathException(path, "is the base folder itself; refusing to delete it");
        }

        name = names[^1];
        return FolderHandle.OpenBelow(root, Path.Join([root, .. names.Take(names.Count - 1)]));
    }
}
