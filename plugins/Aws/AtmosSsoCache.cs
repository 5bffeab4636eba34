using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// atmos's own cache of an Identity Center provider's OIDC session (access token, refresh token, client id and secret),
/// under atmos's cache home (<c>pkg/auth/providers/aws/sso_cache.go</c>): since v1.221
/// <c>aws-sso/sessions/&lt;sha1(start_url + "|" + region)&gt;.json</c>, one file per portal shared by every provider
/// that uses it; before, <c>aws-sso/&lt;provider&gt;/token.json</c>. Not the AWS CLI's <c>~/.aws/sso/cache</c>
/// (<see cref="SsoTokenCache"/>), which atmos never writes.
/// </summary>
internal static class AtmosSsoCache
{
    public const string FolderName = "aws-sso";
    public const string SessionsFolder = "sessions";
    public const string LegacyFileName = "token.json";

    /// <summary>The largest session file read: a few KB of tokens; anything far larger is no session.</summary>
    private const long MaxBytes = 1024 * 1024;

    /// <summary><c>&lt;atmos cache home&gt;/aws-sso</c>: deletes stay inside it.</summary>
    public static string Root(PluginEnvironment environment) => Path.Join(environment.AtmosCacheHome, FolderName);

    /// <summary>atmos's session key: the SHA-1 of <c>start_url|region</c>, as lower-case hex.</summary>
    public static string SessionKey(string startUrl, string region) => Sha1.OfText(startUrl + "|" + region);

    /// <summary>
    /// The provider's files that exist now: the session file of its portal (its start URL as written and with or without
    /// a final <c>/</c>, checked to name this portal) and its pre-v1.221 token (its name in lower case and as written).
    /// </summary>
    /// <param name="provider">An Identity Center provider.</param>
    /// <param name="environment">atmos's cache home.</param>
    /// <param name="mayExist">False for a path that is surely not there (its folder was listed without it): no probe. Called
    /// on several threads at once when planning for many providers.</param>
    public static List<string> FilesOf(ProviderTarget provider, PluginEnvironment environment, Func<string, bool> mayExist)
    {
        var files = new List<string>();
        var root = Root(environment);
        // No sessions folder, no session files: its listing answers that before any key is hashed.
        if (Portal(provider) is { } portal && mayExist(Path.Join(root, SessionsFolder)))
        {
            foreach (var url in new[] { portal.StartUrl, portal.StartUrl.EndsWith('/') ? portal.StartUrl.TrimEnd('/') : portal.StartUrl + "/" })
            {
                var path = Path.Join(root, SessionsFolder, SessionKey(url, portal.Region) + ".json");
                if (!files.Contains(path) && mayExist(path) && SafeFile.Probe(path).Kind != EntryKind.Missing && IsSessionOf(path, portal))
                {
                    files.Add(path);
                }
            }
        }

        foreach (var name in Names(provider.Name))
        {
            var path = Path.Join(root, name, LegacyFileName);
            if (!files.Contains(path) && mayExist(Path.GetDirectoryName(path)!) && SafeFile.Probe(path).Kind != EntryKind.Missing)
            {
                files.Add(path);
            }
        }

        return files;
    }

    /// <summary>Whether a path is a v1.221+ session file (directly in <c>aws-sso/sessions/</c>), not a provider's old token.</summary>
    public static bool IsSessionFile(string path, PluginEnvironment environment) =>
        string.Equals(Path.GetDirectoryName(path), Path.Join(Root(environment), SessionsFolder), StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal)
        && Path.GetFileName(path) != LegacyFileName;

    /// <summary>The portal a provider signs in to, or null without a start URL and region.</summary>
    public static SsoPortal? Portal(ProviderTarget provider)
    {
        var startUrl = provider.Settings.GetString("start_url");
        var region = provider.Settings.GetString("region");
        return string.IsNullOrWhiteSpace(startUrl) || string.IsNullOrWhiteSpace(region) || startUrl.Any(char.IsControl) || region.Any(char.IsControl)
            ? null
            : new SsoPortal(startUrl, region);
    }

    /// <summary>
    /// Whether a session file is the portal's: a file named after the portal's key is, unless its JSON names another
    /// start URL or region (a file that cannot be read as JSON is still named after the portal, and goes).
    /// </summary>
    public static bool IsSessionOf(string path, SsoPortal portal)
    {
        try
        {
            using var document = JsonDocument.Parse(SafeFile.ReadAllBytes(path, MaxBytes));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            var sameUrl = !root.TryGetProperty("startUrl", out var url) || url.ValueKind != JsonValueKind.String
                || string.Equals(url.GetString()!.TrimEnd('/'), portal.StartUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
            var sameRegion = !root.TryGetProperty("region", out var region) || region.ValueKind != JsonValueKind.String
                || string.Equals(region.GetString(), portal.Region, StringComparison.OrdinalIgnoreCase);
            return sameUrl && sameRegion;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>When the cached access token expires (<c>expiresAt</c>, as in the AWS CLI's cache), if the file says.</summary>
    public static DateTimeOffset? ExpiresAt(string path) => SsoTokenCache.ExpiresAt(path);

    /// <summary>A provider's name as atmos writes it (lower case) and, when different, as written (older versions).</summary>
    public static IEnumerable<string> Names(string name)
    {
        var lower = name.ToLowerInvariant();
        return (lower == name ? [name] : new[] { lower, name }).Where(n => ContainedPath.IsSafeName(n, out _));
    }
}

/// <summary>An IAM Identity Center portal: its start URL and region.</summary>
/// <param name="StartUrl">The start URL as configured.</param>
/// <param name="Region">The region.</param>
internal sealed record SsoPortal(string StartUrl, string Region)
{
    /// <summary>One line for a step's arguments: <c>region start_url</c> (a region holds no space).</summary>
    public string Format() => $"{Region} {StartUrl}";

    public static SsoPortal? Parse(string line) =>
        line.Split(' ', 2) is [var region, var url] && region.Length > 0 && url.Length > 0 ? new SsoPortal(url, region) : null;
}
