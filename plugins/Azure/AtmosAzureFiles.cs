using System.Text.Json;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>
/// Where real atmos keeps Azure logins (REAL-ATMOS §5, <c>pkg/auth/cloud/azure/</c>): its own folder
/// <c>~/.azure/atmos/[&lt;realm&gt;/]&lt;provider&gt;/credentials.json</c> (never under <c>spec.files.base_path</c>), with a
/// realm its own MSAL cache <c>~/.azure/atmos/&lt;realm&gt;/msal_token_cache.json</c> (without one, MSAL's cache is the
/// Azure CLI's own <c>~/.azure/msal_token_cache.json</c>), the Azure CLI's <c>azureProfile.json</c> and
/// <c>msal_token_cache.json</c> (the account and subscription of every login), and for <c>azure/oidc</c> the CLI's
/// <c>service_principal_entries.json</c>.
/// </summary>
internal static class AtmosAzureFiles
{
    public const string CredentialsFileName = "credentials.json";
    public const string ServicePrincipalEntriesFileName = "service_principal_entries.json";

    /// <summary><c>~/.azure</c>: the Azure CLI's folder.</summary>
    public static string AzureCliFolder(PluginEnvironment environment) => Path.Join(environment.HomeDirectory, ".azure");

    /// <summary><c>~/.azure/atmos</c>: atmos's folder inside it.</summary>
    public static string AtmosFolder(PluginEnvironment environment) => Path.Join(AzureCliFolder(environment), "atmos");

    /// <summary>
    /// The provider's <c>credentials.json</c> in every layout atmos used: with a realm <c>~/.azure/atmos/&lt;realm&gt;/&lt;p&gt;/</c>
    /// and the no-realm one (written before the realm was set), else <c>~/.azure/atmos/&lt;p&gt;/</c>; the name in lower case
    /// and as written. A no-realm folder named like the realm is the realm's folder, never a provider's.
    /// </summary>
    public static IEnumerable<string> CredentialFiles(ProviderTarget provider, PluginEnvironment environment)
    {
        var root = AtmosFolder(environment);
        var bases = environment.Realm is { } realm ? new[] { Path.Join(root, realm), root } : [root];
        foreach (var baseFolder in bases)
        {
            foreach (var name in Names(provider.Name))
            {
                if (baseFolder == root && name == environment.Realm)
                {
                    continue;
                }

                yield return Path.Join(baseFolder, name, CredentialsFileName);
            }
        }
    }

    /// <summary>atmos's own MSAL cache of the realm, or null without a realm (then it is the Azure CLI's).</summary>
    public static string? RealmMsalCache(PluginEnvironment environment) =>
        environment.Realm is { } realm ? Path.Join(AtmosFolder(environment), realm, MsalTokenCache.FileName) : null;

    /// <summary>When the credentials' access token expires (<c>expiration</c>, RFC 3339), if the file says.</summary>
    public static DateTimeOffset? ExpirationOf(string credentialsPath) => DeviceCodeTokenCache.TimeIn(credentialsPath, "expiration");

    /// <summary>
    /// Removes from atmos's realm MSAL cache the provider's sign-ins: the <c>Account</c>, <c>AccessToken</c> and
    /// <c>IdToken</c> entries of its tenant (<c>realm</c>, as atmos finds the provider's account), and the refresh tokens
    /// of each such home account that has no account left in another tenant.
    /// </summary>
    /// <returns>How many entries were removed.</returns>
    public static int RemoveTenantSignIns(JsonNode cache, IReadOnlyCollection<string> tenants, string path)
    {
        var accounts = MsalTokenCache.Entries(cache, "Account", path)
            .Where(a => tenants.Contains(SubscriptionRef.Text(a, "realm") ?? string.Empty, StringComparer.OrdinalIgnoreCase))
            .Select(a => SubscriptionRef.Text(a, "home_account_id") is { Length: > 0 } id ? new HomeAccount(id, SubscriptionRef.Text(a, "environment")) : null)
            .OfType<HomeAccount>()
            .ToHashSet();
        if (accounts.Count == 0)
        {
            return 0;
        }

        bool InTenant(JsonObject entry) =>
            accounts.Any(a => a.Owns(entry)) && tenants.Contains(SubscriptionRef.Text(entry, "realm") ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var removed = MsalTokenCache.RemoveWhere(cache, "Account", path, InTenant)
            + MsalTokenCache.RemoveWhere(cache, MsalTokenCache.AccessToken, path, InTenant)
            + MsalTokenCache.RemoveWhere(cache, "IdToken", path, InTenant);
        var stillSignedIn = MsalTokenCache.Entries(cache, "Account", path).ToList();
        var gone = accounts.Where(a => !stillSignedIn.Any(a.Owns)).ToHashSet();
        return removed + MsalTokenCache.RemoveWhere(cache, MsalTokenCache.RefreshToken, path, e => gone.Any(a => a.Owns(e)));
    }

    /// <summary>The user names of the provider's sign-ins in atmos's realm MSAL cache (for <c>atmos auth status</c>).</summary>
    public static List<string> SignInsOf(JsonNode cache, string tenant, string path) =>
        MsalTokenCache.Entries(cache, "Account", path)
            .Where(a => string.Equals(SubscriptionRef.Text(a, "realm"), tenant, StringComparison.OrdinalIgnoreCase))
            .Select(a => SubscriptionRef.Text(a, "username") ?? SubscriptionRef.Text(a, "home_account_id") ?? "?")
            .ToList();

    /// <summary>
    /// Whether an element of the Azure CLI's <c>service_principal_entries.json</c> (a list of <c>{"client_id", "tenant",
    /// "client_secret" | "certificate" | "client_assertion"}</c>) is the federated entry atmos writes for an
    /// <c>azure/oidc</c> provider: its client id, its tenant when the provider names one, and a <c>client_assertion</c>.
    /// An entry with a secret or a certificate is the user's own <c>az login --service-principal</c> and stays.
    /// </summary>
    public static bool IsFederatedEntry(JsonItem item, IReadOnlyCollection<(string ClientId, string? Tenant)> principals) =>
        item.Parent.Length == 0 && item.Name is null && item.Value.ValueKind == JsonValueKind.Object
        && item.Value.TryGetProperty("client_assertion", out _)
        && item.Value.TryGetProperty("client_id", out var client) && client.ValueKind == JsonValueKind.String
        && principals.Any(p => string.Equals(p.ClientId, client.GetString(), StringComparison.OrdinalIgnoreCase)
            && (p.Tenant is null || (item.Value.TryGetProperty("tenant", out var tenant) && tenant.ValueKind == JsonValueKind.String && string.Equals(tenant.GetString(), p.Tenant, StringComparison.OrdinalIgnoreCase))));

    /// <summary>A name as atmos writes it (lower case) and, when different, as written (older versions); only safe names.</summary>
    public static IEnumerable<string> Names(string name)
    {
        var lower = name.ToLowerInvariant();
        return (lower == name ? [name] : new[] { lower, name }).Where(n => ContainedPath.IsSafeName(n, out _));
    }
}
