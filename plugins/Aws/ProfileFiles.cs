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

    public static bool IsConfigSection(string header, IReadOnlySet<string> profiles) => ConfigProfileOf(header) is { } profile && profiles.Contains(profile);

    /// <summary>The profile a <c>config</c> header belongs to: <c>profile NAME</c> (any spacing) or <c>default</c>; null for others (<c>sso-session ...</c>).</summary>
    public static string? ConfigProfileOf(string header)
    {
        if (header == "default")
        {
            return header;
        }

        var parts = header.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0] == "profile" ? parts[1] : null;
    }

    /// <summary>Which of the folder's two files hold a section of one of the profiles (or cannot be parsed, so the step reports it).</summary>
    public static List<string> FilesToEdit(string folder, IReadOnlySet<string> profiles, ISet<string> profilesFound)
    {
        var paths = new List<string>();
        foreach (var (name, isConfig) in new[] { (Credentials, false), (Config, true) })
        {
            var path = Path.Join(folder, name);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var document = IniDocument.Parse(File.ReadAllBytes(path), path);
                var present = document.SectionNames.Select(h => isConfig ? ConfigProfileOf(h) : h).OfType<string>().ToHashSet(StringComparer.Ordinal);
                var found = profiles.Where(present.Contains).ToList();
                if (found.Count > 0)
                {
                    paths.Add(path);
                    profilesFound.UnionWith(found);
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

    /// <summary>Removes the profiles' sections from both files under their locks; deletes a file left without sections.</summary>
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

        var changed = false;
        foreach (var (name, isConfig) in new[] { (Credentials, false), (Config, true) })
        {
            var path = Path.Join(folder, name);
            try
            {
                var outcome = AtomicFile.Edit(
                    path,
                    bytes => IniDocument.Parse(bytes, path).RemoveSections(h => isConfig ? IsConfigSection(h, profiles) : IsCredentialsSection(h, profiles), out _),
                    environment.LockTimeout,
                    cancellationToken);
                changed |= outcome is EditOutcome.Replaced or EditOutcome.Deleted;
            }
            catch (Exception ex)
            {
                var failed = StepResults.FromException(ex, path, environment);
                return changed ? failed with { Detail = $"{failed.Detail} (the other file was already updated)" } : failed;
            }
        }

        if (Directory.Exists(folder))
        {
            ContainedPath.RemoveIfEmpty(baseFolder, folder);
        }

        return changed ? StepResult.Removed() : StepResult.NotFound($"no profile of {string.Join(", ", profiles)} in {environment.Display(folder)}");
    }
}
