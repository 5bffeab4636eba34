using System.Globalization;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>An MSAL home account: the realm-independent owner of tokens (<c>home_account_id</c> within an <c>environment</c>).</summary>
/// <param name="HomeAccountId"><c>&lt;object id&gt;.&lt;home tenant id&gt;</c>.</param>
/// <param name="Environment">The authority host, such as <c>login.microsoftonline.com</c>; null matches any.</param>
internal sealed record HomeAccount(string HomeAccountId, string? Environment)
{
    public bool Owns(JsonObject entry) =>
        string.Equals(SubscriptionRef.Text(entry, "home_account_id"), HomeAccountId, StringComparison.OrdinalIgnoreCase)
        && (Environment is null || string.Equals(SubscriptionRef.Text(entry, "environment"), Environment, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// MSAL's JSON token cache (<c>msal_token_cache.json</c>, written by msal-python with <c>json.dumps(indent=4)</c>): maps
/// <c>AccessToken</c>, <c>RefreshToken</c>, <c>IdToken</c>, <c>Account</c> and <c>AppMetadata</c>, each keyed by an MSAL
/// cache key, each entry carrying <c>home_account_id</c> and <c>environment</c>.
/// </summary>
/// <remarks>
/// How the Azure CLI connects a subscription to cache entries (azure-cli <c>auth/identity.py</c> <c>logout_user</c>,
/// msal-python <c>application.py</c> <c>get_accounts</c>/<c>_forget_me</c>): the subscription's <c>user.name</c> is compared
/// case-insensitively with the <c>username</c> of the cache's <c>Account</c> entries; each matching account's
/// <c>home_account_id</c> and <c>environment</c> then select the access, refresh and ID tokens and the account entries to
/// remove, regardless of realm. <c>AppMetadata</c> describes the client application, not a user, and stays. A service
/// principal has no account: its access tokens are the ones with its client id and no <c>home_account_id</c>
/// (msal-python <c>remove_tokens_for_client</c>).
/// </remarks>
internal static class MsalTokenCache
{
    public const string FileName = "msal_token_cache.json";

    /// <summary>msal-extensions' lock file, which the Azure CLI holds while it rewrites the cache.</summary>
    public const string LockFileName = FileName + ".lockfile";

    public const string AccessToken = "AccessToken";
    public const string RefreshToken = "RefreshToken";

    private static readonly string[] AccountScopedMaps = [AccessToken, RefreshToken, "IdToken", "Account"];

    /// <summary>The home accounts whose <c>Account</c> entries carry this user name.</summary>
    public static HashSet<HomeAccount> AccountsOf(JsonNode cache, string userName, string path) =>
        Entries(cache, "Account", path)
            .Where(a => string.Equals(SubscriptionRef.Text(a, "username"), userName, StringComparison.OrdinalIgnoreCase))
            .Select(a => SubscriptionRef.Text(a, "home_account_id") is { Length: > 0 } id ? new HomeAccount(id, SubscriptionRef.Text(a, "environment")) : null)
            .OfType<HomeAccount>()
            .ToHashSet();

    /// <summary>Removes every access, refresh and ID token and account entry owned by one of <paramref name="accounts"/>.</summary>
    /// <returns>How many entries were removed.</returns>
    public static int RemoveAccounts(JsonNode cache, IReadOnlySet<HomeAccount> accounts, string path) =>
        accounts.Count == 0 ? 0 : AccountScopedMaps.Sum(map => RemoveWhere(cache, map, path, e => accounts.Any(a => a.Owns(e))));

    /// <summary>Removes a service principal's access tokens: its client id, no home account.</summary>
    /// <returns>How many entries were removed.</returns>
    public static int RemoveServicePrincipalTokens(JsonNode cache, string clientId, string path) =>
        RemoveWhere(cache, AccessToken, path, e => IsServicePrincipalToken(e, clientId));

    public static bool IsServicePrincipalToken(JsonObject entry, string clientId) =>
        string.IsNullOrEmpty(SubscriptionRef.Text(entry, "home_account_id"))
        && string.Equals(SubscriptionRef.Text(entry, "client_id"), clientId, StringComparison.OrdinalIgnoreCase);

    /// <summary>The entries of one map, such as <c>AccessToken</c>.</summary>
    /// <exception cref="MalformedFileException">The cache or the map is not a JSON object.</exception>
    public static IEnumerable<JsonObject> Entries(JsonNode cache, string map, string path) =>
        Map(cache, map, path)?.Select(p => p.Value).OfType<JsonObject>() ?? [];

    /// <summary>When an access token expires: <c>expires_on</c>, Unix seconds written as a string.</summary>
    public static DateTimeOffset? ExpiresOn(JsonObject entry) =>
        long.TryParse(SubscriptionRef.Text(entry, "expires_on"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static int RemoveWhere(JsonNode cache, string map, string path, Func<JsonObject, bool> match)
    {
        var entries = Map(cache, map, path);
        if (entries is null)
        {
            return 0;
        }

        var keys = entries.Where(p => p.Value is JsonObject entry && match(entry)).Select(p => p.Key).ToList();
        foreach (var key in keys)
        {
            entries.Remove(key);
        }

        return keys.Count;
    }

    private static JsonObject? Map(JsonNode cache, string map, string path)
    {
        if (cache is not JsonObject root)
        {
            throw new MalformedFileException(path, 0, "is not a JSON object (an MSAL token cache)");
        }

        return root[map] switch
        {
            null => null,
            JsonObject entries => entries,
            _ => throw new MalformedFileException(path, 0, $"has a \"{map}\" field that is not a JSON object"),
        };
    }
}
