namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// What atmos asks of the Git repository around the working folder, read from <c>.git</c> on disk (no <c>git</c>
/// program, no network): the worktree root (go-git's <c>DetectDotGit</c>: the nearest folder upwards holding a
/// <c>.git</c> folder or file), HEAD's commit and branch, and the first remote's URL.
/// </summary>
public sealed class GitRepository
{
    private readonly string _gitDir;
    private readonly string _commonDir;

    private GitRepository(string root, string gitDir, string commonDir)
    {
        Root = root;
        _gitDir = gitDir;
        _commonDir = commonDir;
    }

    /// <summary>The worktree root (the folder holding <c>.git</c>).</summary>
    public string Root { get; }

    /// <summary>The repository whose worktree holds <paramref name="folder"/>, or null outside any repository.</summary>
    /// <param name="folder">An absolute folder.</param>
    public static GitRepository? Find(string folder)
    {
        for (var dir = folder; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            var dotGit = Path.Join(dir, ".git");
            if (Directory.Exists(dotGit))
            {
                return new GitRepository(dir, dotGit, CommonDir(dotGit));
            }

            if (File.Exists(dotGit) && GitDirFromFile(dotGit, dir) is { } linked)
            {
                // A linked worktree or a submodule: ".git" is a file "gitdir: <path>".
                return new GitRepository(dir, linked, CommonDir(linked));
            }
        }

        return null;
    }

    /// <summary>The commit HEAD points at, or an error.</summary>
    /// <param name="error">Why there is none (unborn branch, unreadable refs).</param>
    public string? HeadCommit(out string? error)
    {
        error = null;
        var head = ReadFirstLine(Path.Join(_gitDir, "HEAD"));
        if (head is null)
        {
            error = $"cannot read {Path.Join(_gitDir, "HEAD")}";
            return null;
        }

        if (!head.StartsWith("ref:", StringComparison.Ordinal))
        {
            return head;
        }

        var reference = head[4..].Trim();
        var commit = ResolveReference(reference);
        if (commit is null)
        {
            error = $"HEAD points at {reference}, which has no commit yet";
        }

        return commit;
    }

    /// <summary>The branch HEAD is on (short name), or an error for a detached HEAD.</summary>
    /// <param name="error">Why there is none.</param>
    public string? Branch(out string? error)
    {
        error = null;
        var head = ReadFirstLine(Path.Join(_gitDir, "HEAD"));
        if (head is null || !head.StartsWith("ref:", StringComparison.Ordinal))
        {
            error = head is null ? $"cannot read {Path.Join(_gitDir, "HEAD")}" : "HEAD is detached (not on a branch)";
            return null;
        }

        var reference = head[4..].Trim();
        return reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : reference;
    }

    /// <summary>The URL of the first remote (<c>origin</c> when there is one, else the first in the config file), or null.</summary>
    public string? RemoteUrl()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Join(_commonDir, "config"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? section = null;
        string? first = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                section = line.Trim('[', ']').Trim();
                continue;
            }

            if (section is null || !section.StartsWith("remote ", StringComparison.Ordinal) || !line.StartsWith("url", StringComparison.Ordinal))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || line[..equals].Trim() != "url")
            {
                continue;
            }

            var url = line[(equals + 1)..].Trim().Trim('"');
            if (section == "remote \"origin\"")
            {
                return url;
            }

            first ??= url;
        }

        return first;
    }

    /// <summary>Host, owner and name from a remote URL (https, ssh, scp-like), or null when it has no owner/name path.</summary>
    /// <param name="url">The remote URL.</param>
    public static (string Host, string Owner, string Name)? ParseRemote(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string host;
        string path;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
        {
            host = uri.Host;
            path = uri.AbsolutePath.TrimStart('/');
        }
        else if (url.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && !url[..colon].Contains('/', StringComparison.Ordinal))
        {
            // scp-like: [user@]host:owner/name.git
            var at = url.LastIndexOf('@', colon);
            host = url[(at + 1)..colon];
            path = url[(colon + 1)..].TrimStart('/');
        }
        else
        {
            return null;
        }

        if (path.EndsWith(".git", StringComparison.Ordinal))
        {
            path = path[..^4];
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < path.Length - 1 ? (host, path[..slash], path[(slash + 1)..].TrimEnd('/')) : null;
    }

    private string? ResolveReference(string reference)
    {
        foreach (var dir in new[] { _gitDir, _commonDir })
        {
            if (ReadFirstLine(Path.Join(dir, reference)) is { Length: > 0 } loose)
            {
                return loose.StartsWith("ref:", StringComparison.Ordinal) ? ResolveReference(loose[4..].Trim()) : loose;
            }
        }

        try
        {
            foreach (var line in File.ReadLines(Path.Join(_commonDir, "packed-refs")))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && !line.StartsWith('#') && line[(space + 1)..].Trim() == reference)
                {
                    return line[..space];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No packed refs: the reference has no commit.
        }

        return null;
    }

    private static string? GitDirFromFile(string dotGitFile, string worktree)
    {
        var line = ReadFirstLine(dotGitFile);
        if (line is null || !line.StartsWith("gitdir:", StringComparison.Ordinal))
        {
            return null;
        }

        var gitDir = Path.GetFullPath(line["gitdir:".Length..].Trim(), worktree);
        return Directory.Exists(gitDir) ? gitDir : null;
    }

    // A linked worktree's git dir names the main repository's in "commondir" (refs, packed-refs and config live there).
    private static string CommonDir(string gitDir) =>
        ReadFirstLine(Path.Join(gitDir, "commondir")) is { Length: > 0 } common ? Path.GetFullPath(common, gitDir) : gitDir;

    private static string? ReadFirstLine(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine()?.Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
