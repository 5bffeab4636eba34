using System.Text.Json;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>A subscription an identity names: its id and, when configured, its tenant.</summary>
/// <param name="Id">The subscription id (a GUID).</param>
/// <param name="TenantId">The tenant id, or null to match the subscription in any tenant.</param>
internal sealed record SubscriptionRef(string Id, string? TenantId)
{
    /// <summary>One line per subscription for <c>FileStep.Arguments</c>: <c>id</c> or <c>id tenant</c>.</summary>
    public static string Format(IEnumerable<SubscriptionRef> refs) =>
        string.Join('\n', refs.Select(r => r.TenantId is null ? r.Id : $"{r.Id} {r.TenantId}"));

    public static List<SubscriptionRef> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Select(parts => new SubscriptionRef(parts[0], parts.Length > 1 ? parts[1] : null))
            .ToList();

    // The Azure CLI compares subscription ids case-insensitively (az account set lower-cases both sides).
    public bool Matches(JsonObject subscription) =>
        string.Equals(Text(subscription, "id"), Id, StringComparison.OrdinalIgnoreCase)
        && (TenantId is null || string.Equals(Text(subscription, "tenantId"), TenantId, StringComparison.OrdinalIgnoreCase));

    public static string? Text(JsonObject node, string property) =>
        node[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}

/// <summary>Who a subscription entry was signed in as: <c>user.name</c> and <c>user.type</c> (<c>user</c> or <c>servicePrincipal</c>).</summary>
/// <param name="Name">A user principal name, or a service principal's client id.</param>
/// <param name="Type">The Azure CLI's user type.</param>
internal sealed record SubscriptionUser(string Name, string Type)
{
    public const string ServicePrincipalType = "servicePrincipal";

    public bool IsServicePrincipal => Type == ServicePrincipalType;

    // az logout matches user names case-insensitively (federated user names come back in mixed case).
    public bool SameName(string other) => string.Equals(Name, other, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The Azure CLI's <c>azureProfile.json</c>: <c>{"installationId": ..., "subscriptions": [{"id", "name", "state",
/// "user": {"name", "type"}, "isDefault", "tenantId", "environmentName", ...}]}</c>, written by Python's
/// <c>json.dump</c> in <c>utf-8-sig</c> (so with a BOM). Edited as a tree so fields we do not know survive.
/// </summary>
internal static class AzureProfile
{
    public const string FileName = "azureProfile.json";

    /// <summary>The subscription objects, in file order.</summary>
    /// <exception cref="MalformedFileException">The root is not an object or <c>subscriptions</c> is not a list.</exception>
    public static List<JsonObject> Subscriptions(JsonNode root, string path) =>
        SubscriptionList(root, path)?.OfType<JsonObject>().ToList() ?? [];

    /// <summary>Removes every subscription matching one of <paramref name="refs"/>; returns the removed entries.</summary>
    /// <remarks>
    /// <c>isDefault</c> is not moved to another subscription when the default one goes: <c>az logout</c> does the same, and
    /// the next <c>az</c> command without <c>--subscription</c> then asks the user to run <c>az account set</c> instead of
    /// silently acting on a subscription nobody picked.
    /// </remarks>
    public static List<JsonObject> RemoveSubscriptions(JsonNode root, IReadOnlyCollection<SubscriptionRef> refs, string path)
    {
        var list = SubscriptionList(root, path);
        if (list is null)
        {
            return [];
        }

        var removed = list.OfType<JsonObject>().Where(s => refs.Any(r => r.Matches(s))).ToList();
        foreach (var subscription in removed)
        {
            list.Remove(subscription);
        }

        return removed;
    }

    public static SubscriptionUser? UserOf(JsonObject subscription) =>
        subscription["user"] is JsonObject user && SubscriptionRef.Text(user, "name") is { Length: > 0 } name
            ? new SubscriptionUser(name, SubscriptionRef.Text(user, "type") ?? "user")
            : null;

    private static JsonArray? SubscriptionList(JsonNode root, string path)
    {
        if (root is not JsonObject profile)
        {
            throw new MalformedFileException(path, 0, "is not a JSON object with a \"subscriptions\" list");
        }

        return profile["subscriptions"] switch
        {
            null => null,
            JsonArray list => list,
            _ => throw new MalformedFileException(path, 0, "has a \"subscriptions\" field that is not a list"),
        };
    }
}
