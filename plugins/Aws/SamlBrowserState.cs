using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// The browser session saml2aws keeps for atmos's <c>aws/saml</c> providers with the Browser driver,
/// <c>~/.aws/saml2aws/storageState.json</c> (Playwright's storage state: <c>{"cookies": [{"name", "value", "domain",
/// ...}], "origins": [{"origin", "localStorage": [...]}]}</c>). One file for every SAML login on the machine (saml2aws
/// itself uses it too), so a provider's logout removes only the cookies sent to its identity provider's host and the
/// origins of that host; everything else stays byte for byte. atmos never removes it.
/// </summary>
internal static class SamlBrowserState
{
    public const string FileName = "storageState.json";

    public static string Folder(PluginEnvironment environment) => Path.Join(environment.HomeDirectory, ".aws", "saml2aws");

    public static string FilePath(PluginEnvironment environment) => Path.Join(Folder(environment), FileName);

    /// <summary>The host of the provider's identity provider (<c>url</c>), lower case, or null when it has none.</summary>
    public static string? HostOf(ProviderTarget provider) =>
        Uri.TryCreate(provider.Settings.GetString("url") ?? provider.Settings.GetString("spec.url"), UriKind.Absolute, out var uri) && uri.Host.Length > 0 && uri.Scheme is "https" or "http"
            ? uri.Host.ToLowerInvariant()
            : null;

    /// <summary>Whether a cookie or origin of the storage state belongs to one of the hosts.</summary>
    public static bool Belongs(JsonItem item, IReadOnlyCollection<string> hosts)
    {
        if (item.Name is not null || item.Value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        return item.Parent switch
        {
            "/cookies" => item.Value.TryGetProperty("domain", out var domain) && domain.ValueKind == JsonValueKind.String && hosts.Any(h => CookieIsSentTo(domain.GetString()!, h)),
            "/origins" => item.Value.TryGetProperty("origin", out var origin) && origin.ValueKind == JsonValueKind.String
                && Uri.TryCreate(origin.GetString(), UriKind.Absolute, out var uri) && hosts.Contains(uri.Host.ToLowerInvariant()),
            _ => false,
        };
    }

    /// <summary>How many cookies and origins of the file belong to the hosts.</summary>
    /// <exception cref="MalformedFileException">The file is not JSON.</exception>
    public static int Count(byte[] content, string path, IReadOnlyCollection<string> hosts)
    {
        var count = 0;
        JsonText.Parse(content, path).RemoveWhere(item => Belongs(item, hosts) && ++count > 0, out _);
        return count;
    }

    // A cookie for "example.com" or ".example.com" is sent to example.com and every host under it (RFC 6265 §5.1.3).
    private static bool CookieIsSentTo(string domain, string host)
    {
        var bare = domain.TrimStart('.').ToLowerInvariant();
        return bare.Length > 0 && (host == bare || host.EndsWith("." + bare, StringComparison.Ordinal));
    }
}
