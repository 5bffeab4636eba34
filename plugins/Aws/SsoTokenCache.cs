using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// The AWS CLI's SSO token cache, <c>~/.aws/sso/cache/</c>. The CLI names a token file by the SHA-1 of the start URL
/// (legacy profiles) or of the sso-session name. Only those files, and only when they belong to the provider's start
/// URL, are ours to remove; the folder and every other file stay.
/// </summary>
internal static class SsoTokenCache
{
    /// <summary>The step argument naming, line by line, the start URL each planned path belongs to.</summary>
    public const string StartUrlsArgument = "start_urls";

    public static string Folder(PluginEnvironment environment) => Path.Join(environment.HomeDirectory, ".aws", "sso", "cache");

    /// <summary>The cache files of this provider that exist now.</summary>
    /// <param name="provider">An Identity Center provider.</param>
    /// <param name="environment">The home folder.</param>
    /// <param name="listing">The cache folder's listing, read once for many providers (read here when null).</param>
    public static List<string> FilesOf(ProviderTarget provider, PluginEnvironment environment, CacheListing? listing = null)
    {
        var startUrl = provider.Settings.GetString("start_url");
        var files = new List<string>();
        // A start URL with a line break or other control character is no URL the AWS CLI could have cached a token for
        // (and the step carries start URLs one per line).
        if (string.IsNullOrWhiteSpace(startUrl) || HasControlCharacter(startUrl))
        {
            return files;
        }

        listing ??= CacheListing.Read(Folder(environment));
        foreach (var (key, isStartUrl) in Keys(provider, startUrl))
        {
            // A name not in the listing costs nothing: only files that are there are opened.
            var name = Sha1(key) + ".json";
            var path = Path.Join(listing.Folder, name);
            if (listing.Contains(name) && !files.Contains(path) && Belongs(path, startUrl, isStartUrl))
            {
                files.Add(path);
            }
        }

        return files;
    }

    /// <summary>When the token in a cache file expires, if it says.</summary>
    public static DateTimeOffset? ExpiresAt(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(ReadSmallFile(path));
            return document.RootElement.TryGetProperty("expiresAt", out var value) && value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes the planned cache files, re-checking each still belongs to its provider; <paramref name="startUrls"/>
    /// holds the start URL of each path, in the same order.
    /// </summary>
    public static StepResult Clear(IReadOnlyList<string> paths, IReadOnlyList<string> startUrls, PluginEnvironment environment)
    {
        var folder = Folder(environment);
        if (startUrls.Count != paths.Count)
        {
            return StepResult.Failed("invalid step", $"the step names {paths.Count} cache files but {startUrls.Count} start URLs");
        }

        // Every path is checked before any file is touched: one unsafe path refuses the whole step.
        foreach (var path in paths)
        {
            if (!string.Equals(Path.GetDirectoryName(path), folder, StringComparison.Ordinal))
            {
                return StepResult.Failed("refused: unsafe path", $"{environment.Display(path)} is not directly inside {environment.Display(folder)}");
            }
        }

        // Each file is one readlink (a symbolic link is removed as a link, never followed), one small read and one
        // unlink, independent of the others: with many, on every core.
        var removedAt = new bool[paths.Count];
        var failedAt = new StepResult?[paths.Count];
        Parallel.For(0, paths.Count, Parallelism(paths.Count), i =>
        {
            var path = paths[i];
            try
            {
                var startUrl = startUrls[i];
                var stem = Path.GetFileNameWithoutExtension(path);
                var isStartUrlFile = stem == Sha1(startUrl) || stem == Sha1(startUrl.TrimEnd('/'));
                var isLink = new FileInfo(path).LinkTarget is not null;
                if (!isLink && !Belongs(path, startUrl, isStartUrlFile))
                {
                    return;
                }

                File.Delete(path); // unlinks a symbolic link; never follows it
                removedAt[i] = true;
            }
            catch (Exception ex)
            {
                failedAt[i] = StepResults.FromException(ex, path, environment);
            }
        });

        var removed = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            if (failedAt[i] is { } failed)
            {
                return failed;
            }

            removed += removedAt[i] ? 1 : 0;
        }

        return removed > 0
            ? StepResult.Removed()
            : StepResult.NotFound($"no SSO token for {string.Join(", ", startUrls.Distinct(StringComparer.Ordinal))} in {environment.Display(folder)}");
    }

    /// <summary>
    /// How many token files to check at once: each is a few syscalls and a small JSON read, independent of the others,
    /// so with many (64 or more) on every core; with few, on the calling thread.
    /// </summary>
    /// <param name="count">The number of files or providers.</param>
    public static ParallelOptions Parallelism(int count) => new() { MaxDegreeOfParallelism = count >= 64 ? Environment.ProcessorCount : 1 };

    private static IEnumerable<(string Key, bool IsStartUrl)> Keys(ProviderTarget provider, string startUrl)
    {
        yield return (startUrl, true);
        if (startUrl.EndsWith('/'))
        {
            yield return (startUrl.TrimEnd('/'), true);
        }

        yield return (provider.Name, false);
        foreach (var setting in new[] { "sso_session", "session_name", "spec.sso_session" })
        {
            if (provider.Settings.GetString(setting) is { Length: > 0 } session)
            {
                yield return (session, false);
            }
        }
    }

    // A file named after the start URL is ours unless it names another start URL; a file named after a session name
    // must name our start URL, because another tool may use the same session name for another organisation.
    private static bool Belongs(string path, string startUrl, bool namedAfterStartUrl)
    {
        try
        {
            using var document = JsonDocument.Parse(ReadSmallFile(path));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("startUrl", out var url) && url.ValueKind == JsonValueKind.String)
            {
                return string.Equals(url.GetString()?.TrimEnd('/'), startUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
            }

            return namedAfterStartUrl;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // gone meanwhile
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return false; // a folder where the token file was: never a token, never removed
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return namedAfterStartUrl;
        }
    }

    // A token file is a few hundred bytes: read into a buffer that usually holds it whole, without File.ReadAllBytes'
    // extra stat for the length (a thousand files are a thousand fewer syscalls).
    private static ReadOnlyMemory<byte> ReadSmallFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(length), length);
            if (read == 0)
            {
                return buffer.AsMemory(0, length);
            }

            length += read;
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    private static bool HasControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Sha1(string text) => Aws.Sha1.OfText(text);

    /// <summary>
    /// One read of the cache folder: the names of the files in it. With a thousand providers the planner asks about two
    /// thousand names, most of which are not there; each answer now costs no syscall.
    /// </summary>
    internal sealed class CacheListing
    {
        private readonly HashSet<string>? _names;

        private CacheListing(string folder, HashSet<string>? names)
        {
            Folder = folder;
            _names = names;
        }

        /// <summary>The folder listed.</summary>
        public string Folder { get; }

        /// <summary>
        /// The folder's entries other than folders (links to files included); empty when there is no such folder. A
        /// folder that cannot be listed gives a listing that rules nothing out.
        /// </summary>
        /// <param name="folder">The cache folder.</param>
        public static CacheListing Read(string folder) => new(folder, FolderNames.Read(folder, skipFolders: true));

        /// <summary>Whether the folder held a file (or a link to one) of that name when it was listed, or may have.</summary>
        /// <param name="name">A file name.</param>
        public bool Contains(string name) => _names is null || _names.Contains(name);
    }
}
