using System.Security.Cryptography;
using System.Text;

namespace Atmos.Plugins.Tests.Support;

/// <summary>A throw-away home folder with helpers to write files and fingerprint the tree.</summary>
public sealed class TempHome : IDisposable
{
    public TempHome()
    {
        Root = Directory.CreateTempSubdirectory("atmos-test-").FullName;
        Home = Path.Join(Root, "home");
        Directory.CreateDirectory(Home);
    }

    /// <summary>The temp folder (home lives inside; other fixtures may sit beside it).</summary>
    public string Root { get; }

    /// <summary>The home folder.</summary>
    public string Home { get; }

    /// <summary>A path under home.</summary>
    public string PathOf(string relative) => Path.Join(Home, relative);

    /// <summary>Writes a file under home (folders created), returning its full path.</summary>
    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes raw bytes under home.</summary>
    public string WriteBytes(string relative, byte[] content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Reads a file under home.</summary>
    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Whether a file or folder exists under home.</summary>
    public bool Exists(string relative) => File.Exists(PathOf(relative)) || Directory.Exists(PathOf(relative));

    /// <summary>Every file and folder under a root with the SHA-256 of its content, its mode and its link target: equal fingerprints mean nothing changed.</summary>
    /// <param name="root">The folder to fingerprint.</param>
    /// <param name="excluded">Top-level folders of <paramref name="root"/> to leave out (such as the audit trail's state folder).</param>
    public static string Fingerprint(string root, params string[] excluded)
    {
        var lines = new List<string>();
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            if (excluded.Any(x => relative == x || relative.StartsWith(x + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                continue;
            }

            var mode = OperatingSystem.IsWindows() ? string.Empty : entry.UnixFileMode.ToString();
            if (entry.LinkTarget is not null)
            {
                lines.Add($"L {relative} -> {entry.LinkTarget}");
            }
            else if (entry is FileInfo file)
            {
                lines.Add($"F {relative} {mode} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))}");
            }
            else
            {
                lines.Add($"D {relative} {mode}");
            }
        }

        return string.Join('\n', lines);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test that made a folder unreadable restores it itself; leftovers in /tmp are harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
