using System.Text.Json;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Gcp;

/// <summary>
/// Google credential JSON as gcloud and the auth libraries write it (<c>type</c>: <c>service_account</c>,
/// <c>authorized_user</c>, <c>external_account</c>, <c>impersonated_service_account</c>...), classified into session and
/// long-lived.
/// </summary>
/// <remarks>
/// A service-account key (<c>type: service_account</c> with a <c>private_key</c>) is long-lived: it is provisioned, not
/// obtained by logging in, and cannot be recovered once deleted. Everything else is session data, including an
/// <c>authorized_user</c> refresh token: it is the product of an interactive login (its <c>client_secret</c> is gcloud's
/// public OAuth client's, not a secret of the user), a new login replaces it, and ending that login is what logout is for.
/// A key nested inside another credential (an impersonation's <c>source_credentials</c>) makes the whole credential long-lived.
/// </remarks>
internal static class GoogleCredential
{
    public const string ServiceAccountType = "service_account";

    public static CredentialClass Classify(JsonNode? credential) => HoldsServiceAccountKey(credential) ? CredentialClass.LongLived : CredentialClass.Session;

    /// <summary>Classifies a credential stored as JSON text (a database value, a file's content); text that is not JSON is session data.</summary>
    public static CredentialClass Classify(string? json) => Classify(TryParse(json));

    /// <summary>The credential's <c>type</c>, or "credential" when it has none.</summary>
    public static string TypeOf(string? json) =>
        TryParse(json) is JsonObject credential && credential["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String
            ? type.GetValue<string>()
            : "credential";

    public static bool HoldsServiceAccountKey(JsonNode? node) => node switch
    {
        JsonObject credential => IsKey(credential) || credential.Any(p => HoldsServiceAccountKey(p.Value)),
        JsonArray items => items.Any(HoldsServiceAccountKey),
        _ => false,
    };

    public static JsonNode? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.TrimStart()[0] is not ('{' or '['))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsKey(JsonObject credential) =>
        Text(credential, "private_key") is { Length: > 0 } && Text(credential, "type") is null or ServiceAccountType;

    private static string? Text(JsonObject node, string property) =>
        node[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
