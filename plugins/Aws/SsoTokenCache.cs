using System.Collections.Concurrent;
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

    /// <summary>
    /// The step's argument with each planned file's size and modification time when planning read it ("length ticks",
    /// one line per path): the removal takes a file whose <c>lstat</c> still shows both without reading it again. It lives
    /// in the step, so any plugin instance, or another process, can execute the plan.
    /// </summary>
    public const string StampsArgument = "stamps";

    /// <summary>
    /// The largest token file read: a token is a few hundred bytes; anything far larger (or a link to <c>/dev/zero</c>)
    /// is no token, and fails only its own file.
    /// </summary>
    public const long MaxTokenBytes = 1024 * 1024;

    public static string Folder(PluginEnvironment environment) => Path.Join(environment.HomeDirectory, ".aws", "sso", "cache");

    /// <summary>The cache files of this provider that exist now.</summary>
    /// <param name="provider">An Identity Center provider.</param>
    /// <param name="environment">The home folder.</param>
    /// <param name="listing">The cache folder's listing, read once for many providers (read here when null).</param>
    /// <returns>Each file with its stamp as read (see <see cref="StampsArgument"/>).</returns>
    public static List<TokenFile> FilesOf(ProviderTarget provider, PluginEnvironment environment, CacheListing? listing = null)
    {
        var startUrl = provider.Settings.GetString("start_url");
        var files = new List<TokenFile>();
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
            if (listing.Contains(name) && !files.Exists(f => f.Path == path) && Belongs(path, startUrl, isStartUrl, out var stamp))
            {
                files.Add(new TokenFile(path, stamp));
            }
        }

        return files;
    }

    /// <summary>When the token in a cache file expires, if it says.</summary>
    public static DateTimeOffset? ExpiresAt(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(SafeFile.ReadAllBytes(path, MaxTokenBytes, followLinks: true));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("expiresAt", out var value) && value.ValueKind == JsonValueKind.String
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
    /// holds the start URL of each path and <paramref name="stamps"/> its stamp as planning read it (empty lines, or no
    /// stamps at all: read again), in the same order. A file whose <c>lstat</c> still shows its stamp is not read again;
    /// any other file is.
    /// </summary>
    public static StepResult Clear(IReadOnlyList<string> paths, IReadOnlyList<string> startUrls, IReadOnlyList<string> stamps, PluginEnvironment environment)
    {
        var folder = Folder(environment);
        if (startUrls.Count != paths.Count || (stamps.Count != 0 && stamps.Count != paths.Count))
        {
            return StepResult.Failed("invalid step", $"the step names {paths.Count} cache files but {startUrls.Count} start URLs and {stamps.Count} stamps");
        }

        // Every path is checked before any file is touched: one unsafe path refuses the whole step.
        foreach (var path in paths)
        {
            if (!string.Equals(Path.GetDirectoryName(path), folder, StringComparison.Ordinal))
            {
                return StepResult.Failed("refused: unsafe path", $"{environment.Display(path)} is not directly inside {environment.Display(folder)}");
            }
        }

        // The cache folder is the AWS CLI's (links in its path are the user's); every file is looked at and unlinked
        // through its descriptor, so a token replaced by a link is unlinked, never followed.
        FolderHandle? cache;
        try
        {
            cache = FolderHandle.OpenIfExists(folder);
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, folder, environment);
        }

        if (cache is null)
        {
            return StepResult.NotFound($"{environment.Display(folder)} does not exist");
        }

        // Each file is one lstat (a symbolic link is removed as a link, never followed; an unchanged file is still the
        // one planning read), a small read only when it changed, and one unlink. One bad file fails only itself; the
        // others are still removed.
        var removed = 0;
        var failures = new List<StepResult>();
        using (cache)
        {
            for (var i = 0; i < paths.Count; i++)
            {
                try
                {
                    if (StillBelongs(cache, paths[i], startUrls[i], stamps.Count == 0 ? string.Empty : stamps[i]) && cache.Unlink(Path.GetFileName(paths[i])))
                    {
                        removed++;
                    }
                }
                catch (Exception ex)
                {
                    if (StepResults.FromException(ex, paths[i], environment) is { Status: StepStatus.Failed } failure)
                    {
                        failures.Add(failure);
                    }
                }
            }
        }

        if (failures.Count > 0)
        {
            var first = failures[0];
            return first with
            {
                Detail = $"{first.Detail}{(failures.Count > 1 ? $" (and {failures.Count - 1} more token files failed)" : string.Empty)}; {removed} of {paths.Count} token files were removed",
            };
        }

        return removed > 0
            ? StepResult.Removed()
            : StepResult.NotFound($"no SSO token for {string.Join(", ", startUrls.Distinct(StringComparer.Ordinal))} in {environment.Display(folder)}");
    }

    // Whether a planned file may go: a link always (it is removed as the link); a folder never; a file unchanged since
    // planning found it ours (same size and modification time, from one lstat) yes; anything else is read again.
    private static bool StillBelongs(FolderHandle cache, string path, string startUrl, string plannedStamp)
    {
        var entry = cache.GetEntry(Path.GetFileName(path));
        switch (entry.Kind)
        {
            case EntryKind.Missing:
                return false; // gone meanwhile
            case EntryKind.SymbolicLink:
                return true; // removed as the link
            case EntryKind.Folder:
                return false; // a folder where the token file was: never a token, never removed
            case EntryKind.File when plannedStamp.Length > 0 && plannedStamp == Stamp(entry.Length, entry.LastWriteTimeUtc.Ticks):
                return true;
        }

        // Changed, or not a regular file: the full check (which reports what it meets).
        var stem = Path.GetFileNameWithoutExtension(path);
        var isStartUrlFile = stem == Sha1(startUrl) || stem == Sha1(startUrl.TrimEnd('/')) || stem == Sha1(startUrl.TrimEnd('/') + "/");
        return new FileInfo(path).LinkTarget is not null || Belongs(path, startUrl, isStartUrlFile, out _);
    }

    private static IEnumerable<(string Key, bool IsStartUrl)> Keys(ProviderTarget provider, string startUrl)
    {
        // The AWS CLI names the file after the start URL exactly as its own config spells it, with or without a
        // trailing slash, whichever atmos.yaml has.
        yield return (startUrl, true);
        yield return startUrl.EndsWith('/') ? (startUrl.TrimEnd('/'), true) : (startUrl + "/", true);

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
    // must name our start URL, because another tool may use the same session name for another organisation. The stamp
    // is the size and modification time of the file as read.
    private static bool Belongs(string path, string startUrl, bool namedAfterStartUrl, out string stamp)
    {
        stamp = string.Empty;
        try
        {
            // Read through a link (a token may be linked from elsewhere), but never blocking and only a regular file of a
            // token's size: a FIFO or /dev/zero in the cache fails at once, alone.
            using var handle = SafeFile.OpenRead(path, MaxTokenBytes, followLinks: true);
            // Size and time before the read: a write after it moves the time, so the removal's lstat sees the change. A
            // token is a few hundred bytes, one read.
            var info = SafeFile.GetInfo(handle);
            var bytes = new byte[info.Length];
            var length = RandomAccess.Read(handle, bytes, 0);
            var parsed = TokenJson.Read(bytes.AsSpan(0, length));
            stamp = Stamp(length, info.LastWriteTimeUtc.Ticks);
            if (parsed.IsObject && parsed.StartUrl is { } url)
            {
                return string.Equals(url.TrimEnd('/'), startUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
            }

            return namedAfterStartUrl;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // gone meanwhile
        }
        catch (Exception ex) when (ex is UnsafePathException or UnauthorizedAccessException && SafeFile.Probe(path, followLinks: true).Kind == EntryKind.Folder)
        {
            return false; // a folder where the token file was: never a token, never removed
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return namedAfterStartUrl;
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

    /// <summary>A provider's token file and its stamp as planning read it (see <see cref="StampsArgument"/>).</summary>
    /// <remarks>A record, not a tuple: this plugin is framework-dependent ReadyToRun, and a list of value tuples is an
    /// instantiation no image holds, JIT-compiled at every run (docs/performance.md, item 25).</remarks>
    internal sealed record TokenFile(string Path, string Stamp);

    // A file's size and modification time (ticks, UTC), as the step carries it.
    private static string Stamp(long length, long ticks) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{length} {ticks}");

    /// <summary>
    /// What a token file's JSON says, read with a forward-only reader (no document tree): whether it is one whole JSON
    /// document, whether that is an object, and its top-level <c>startUrl</c> when that is a string (the last one, as
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> finds it).
    /// </summary>
    internal readonly struct TokenJson(bool isWhole, bool isObject, string? startUrl)
    {
        public static TokenJson Malformed => default;

        public bool IsWhole { get; } = isWhole;

        public bool IsObject { get; } = isObject;

        public string? StartUrl { get; } = startUrl;

        public static TokenJson Read(ReadOnlySpan<byte> json)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                if (!reader.Read())
                {
                    return Malformed;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    return reader.Read() ? Malformed : new TokenJson(true, false, null);
                }

                string? startUrl = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isStartUrl = reader.ValueTextEquals("startUrl"u8);
                    reader.Read();
                    if (isStartUrl)
                    {
                        startUrl = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }

                    reader.Skip();
                }

                return reader.Read() ? Malformed : new TokenJson(true, true, startUrl);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Malformed; // not JSON, or a string that is not text
            }
        }
    }
}
