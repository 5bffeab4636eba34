using System.Buffers;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// The AWS <c>credentials</c> and <c>config</c> files atmos writes in a provider folder: <c>[name]</c> sections in the
/// former, <c>[profile name]</c> sections in the latter (and <c>[default]</c> for a profile named default).
/// </summary>
internal static class ProfileFiles
{
    public const string Credentials = "credentials";
    public const string Config = "config";

    public static bool IsCredentialsSection(string header, IReadOnlySet<string> profiles) => profiles.Contains(header);

    public static bool IsConfigSection(string header, IReadOnlySet<string> profiles)
    {
        var profile = ConfigProfileOf(header);
        return !profile.IsEmpty && profiles.Contains(profile.ToString());
    }

    /// <summary>The profile a <c>config</c> header belongs to: <c>profile NAME</c> (any spacing) or <c>default</c>; empty for
    /// others (<c>sso-session ...</c>). A span, so that planning matches a large file's headers without making strings.</summary>
    public static ReadOnlySpan<char> ConfigProfileOf(ReadOnlySpan<char> header) => header is "default" ? header : IniDocument.ProfileNameOf(header);

    /// <summary>Which of the folder's two files hold a section of one of the profiles (or cannot be parsed, so the step reports it).</summary>
    public static List<string> FilesToEdit(string folder, HashSet<string> profiles, ISet<string> profilesFound)
    {
        // Section names are matched as spans: a large file's thousands of other sections make no strings.
        var lookup = profiles.GetAlternateLookup<ReadOnlySpan<char>>();
        var paths = new List<string>();
        foreach (var (name, isConfig) in new[] { (Credentials, false), (Config, true) })
        {
            var path = Path.Join(folder, name);
            var entry = SafeFile.Probe(path);
            if (entry.Kind == EntryKind.Missing)
            {
                continue;
            }

            if (entry.Kind == EntryKind.Inaccessible)
            {
                // Cannot check (the folder cannot be searched): never "nothing stored"; the step reports it.
                paths.Add(path);
                profilesFound.UnionWith(profiles);
                continue;
            }

            try
            {
                var holdsOne = false;
                VisitSectionNames(path, header =>
                {
                    var name = isConfig ? ConfigProfileOf(header) : header;
                    if (!name.IsEmpty && lookup.TryGetValue(name, out var profile))
                    {
                        holdsOne = true;
                        profilesFound.Add(profile);
                    }
                });

                if (holdsOne)
                {
                    paths.Add(path);
                }
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                // Planned anyway: executing the step reports the problem and leaves the file untouched.
                paths.Add(path);
                profilesFound.UnionWith(profiles);
            }
        }

        return paths;
    }

    // The file's section names, read through a pooled buffer: planning only needs the names, and a large credentials
    // file read into a fresh array would land on the large object heap on every run.
    private static void VisitSectionNames(string path, Action<ReadOnlySpan<char>> visit)
    {
        // Never through a link, never blocking on a FIFO, only a regular file of a sane size (SafeFile).
        using var file = SafeFile.OpenRead(path);
        var length = checked((int)RandomAccess.GetLength(file));
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var read = 0;
            while (read < buffer.Length && RandomAccess.Read(file, buffer.AsSpan(read), read) is var n and > 0)
            {
                read += n;
            }

            if (read == buffer.Length && RandomAccess.Read(file, new byte[1], read) > 0)
            {
                throw new IOException($"{path} grew while it was being read; run the logout again");
            }

            IniDocument.VisitSectionNames(buffer.AsSpan(0, read), path, visit);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Removes the profiles' sections from both files under their locks; deletes a file left without sections. Each file
    /// is its own edit: a file that cannot be edited (malformed, a FIFO, too large, another user's) fails the step naming
    /// it, and the other file is still edited. The edits walk from the base folder without following links.
    /// </summary>
    public static StepResult Remove(string baseFolder, string folder, IReadOnlySet<string> profiles, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        try
        {
            ContainedPath.Resolve(baseFolder, folder);
            if (new DirectoryInfo(folder).LinkTarget is not null)
            {
                throw new UnsafePathException(folder, "is a symbolic link; refusing to edit files through it (log out the provider to unlink it)");
            }
        }
        catch (UnsafePathException ex)
        {
            return StepResults.FromException(ex, folder, environment);
        }

        var changed = new List<string>();
        StepResult? failed = null;
        foreach (var (name, isConfig) in new[] { (Credentials, false), (Config, true) })
        {
            var path = Path.Join(folder, name);
            try
            {
                var outcome = AtomicFile.Edit(
                    baseFolder,
                    path,
                    bytes => IniDocument.Parse(bytes, path).RemoveSections(h => isConfig ? IsConfigSection(h, profiles) : IsCredentialsSection(h, profiles), out _),
                    environment.LockTimeout,
                    cancellationToken);
                if (outcome is EditOutcome.Replaced or EditOutcome.Deleted)
                {
                    changed.Add(name);
                }
            }
            catch (Exception ex)
            {
                failed ??= StepResults.FromException(ex, path, environment);
            }
        }

        if (failed is not null)
        {
            return changed.Count > 0 ? failed with { Detail = $"{failed.Detail} ({string.Join(" and ", changed)} was updated)" } : failed;
        }

        ContainedPath.RemoveIfEmpty(baseFolder, folder);
        return changed.Count > 0 ? StepResult.Removed() : StepResult.NotFound($"no profile of {string.Join(", ", profiles)} in {environment.Display(folder)}");
    }
}
