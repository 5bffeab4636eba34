using System.Globalization;
using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>
/// atmos' own cache of a device-code provider's access token, <c>$XDG_CACHE_HOME/atmos/azure-device-code/&lt;provider&gt;/token.json</c>
/// (<c>{"accessToken", "tokenType", "expiresAt", "tenantId", ...}</c>), which lets the next login skip the device-code prompt.
/// </summary>
internal static class DeviceCodeTokenCache
{
    public const string FileName = "token.json";

    /// <summary>The largest token file read (a token is a few KB; anything far larger is no token).</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>The folder every provider's cache folder lives in: deletes stay inside it.</summary>
    public static string BaseFolder(PluginEnvironment environment) => Path.Join(environment.AtmosCacheHome, "azure-device-code");

    public static string Folder(PluginEnvironment environment, string provider) => Path.Join(BaseFolder(environment), provider);

    /// <summary>When the cached token expires (<c>expiresAt</c>, RFC 3339), if the file says.</summary>
    public static DateTimeOffset? ExpiresAt(string path) => TimeIn(path, "expiresAt");

    /// <summary>The RFC 3339 time in a JSON file's top-level <paramref name="property"/>, if the file says (atmos's token files).</summary>
    public static DateTimeOffset? TimeIn(string path, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(SafeFile.ReadAllBytes(path, MaxBytes));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
