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
    /// <param name="cacheChecked">The caller already knows the cache folder exists (one check for many providers).</param>
    public static List<string> FilesOf(ProviderTarget provider, PluginEnvironment environment, bool cacheChecked = false)
    {
        var startUrl = provider.Settings.GetString("start_url");
        var folder = Folder(environment);
        var files = new List<string>();
        // A start URL with a line break or other control character is no URL the AWS CLI could have cached a token for
        // (and the step carries start URLs one per line).
        if (string.IsNullOrWhiteSpace(startUrl) || startUrl.Any(char.IsControl) || (!cacheChecked && !Directory.Exists(folder)))
        {
            return files;
        }

        foreach (var (key, isStartUrl) in Keys(provider, startUrl))
        {
            var path = Path.Join(folder, Sha1(key) + ".json");
            if (!files.Contains(path) && Belongs(path, startUrl, isStartUrl))
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
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
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

        // Each file is a few syscalls and a small JSON read, independent of the others: with many, on every core.
        var removedAt = new bool[paths.Count];
        var failedAt = new StepResult?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = paths.Count >= 64 ? Environment.ProcessorCount : 1 }, i =>
        {
            var path = paths[i];
            try
            {
                var startUrl = startUrls[i];
                var name = Path.GetFileNameWithoutExtension(path);
                var isStartUrlFile = name == Sha1(startUrl) || name == Sha1(startUrl.TrimEnd('/'));

                // One lstat answers both questions, is it a symbolic link (removed as a link, never followed) and is it
                // there; Attributes is all bits set when nothing is.
                var info = new FileInfo(path);
                var isLink = info.Attributes != (FileAttributes)(-1) && (info.Attributes & FileAttributes.ReparsePoint) != 0;
                if (!isLink && (!info.Exists || !Belongs(path, startUrl, isStartUrlFile, checkExists: false)))
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

        if (failedAt.FirstOrDefault(f => f is not null) is { } failed)
        {
            return failed;
        }

        var removed = removedAt.Count(r => r);
        return removed > 0
            ? StepResult.Removed()
            : StepResult.NotFound($"no SSO token for {string.Join(", ", startUrls.Distinct(StringComparer.Ordinal))} in {environment.Display(folder)}");
    }

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
    private static bool Belongs(string path, string startUrl, bool namedAfterStartUrl, bool checkExists = true)
    {
        if (checkExists && !File.Exists(path))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
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
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return namedAfterStartUrl;
        }
    }

    private static string Sha1(string text) => Aws.Sha1.OfText(text);
}
