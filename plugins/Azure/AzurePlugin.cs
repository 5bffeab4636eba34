using System.Text.Json;
using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>
/// Azure: each provider's isolated Azure CLI config folder <c>&lt;base&gt;/&lt;provider&gt;/</c> (<c>azureProfile.json</c>,
/// <c>msal_token_cache.json</c>), and atmos' device-code token cache of the provider.
/// </summary>
public sealed class AzurePlugin : IProviderPlugin
{
    private const string RemoveSubscriptions = "remove-subscriptions";
    private const string RemoveProviderFolder = "remove-provider-folder";
    private const string ClearDeviceCodeCache = "clear-device-code-cache";

    // Keyring data fields that hold a keychain credential rather than a token, compared without case, '_' or '-'.
    private static readonly HashSet<string> KeychainFields = new(
        ["clientsecret", "clientcertificate", "clientcertificatepath", "clientcertificatepassword", "certificate", "certificatepath", "certificatepassword", "privatekey", "password"],
        StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public string Cloud => "azure";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Kind is AzureKinds.DeviceCode or AzureKinds.Interactive or AzureKinds.Oidc)
        {
            var tenant = Setting(provider.Settings, "tenant_id");
            if (string.IsNullOrWhiteSpace(tenant))
            {
                yield return $"provider '{provider.Name}' ({provider.Kind}) has no tenant_id; add spec.tenant_id: <Entra ID tenant GUID>";
            }
        }

        if (provider.Kind == AzureKinds.Oidc && string.IsNullOrWhiteSpace(Setting(provider.Settings, "client_id")))
        {
            yield return $"provider '{provider.Name}' (azure/oidc) has no client_id; add spec.client_id: <application (client) id of the federated app>";
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Kind != AzureKinds.Subscription)
        {
            yield break;
        }

        if (identity.Settings.GetSection("via") is null)
        {
            yield return $"identity '{identity.Name}' (azure/subscription) needs via.provider naming an Azure provider";
        }

        var subscription = identity.Settings.GetString("principal.subscription_id");
        if (string.IsNullOrWhiteSpace(subscription))
        {
            yield return $"identity '{identity.Name}' needs principal.subscription_id (the subscription GUID)";
        }
        else if (!Guid.TryParse(subscription, out _))
        {
            yield return $"identity '{identity.Name}': principal.subscription_id '{subscription}' is not a GUID (az account list shows the id)";
        }

        if (identity.Settings.GetString("principal.tenant_id") is { } tenant && !Guid.TryParse(tenant, out _))
        {
            yield return $"identity '{identity.Name}': principal.tenant_id '{tenant}' is not a GUID; azureProfile.json records tenants by id (az account show --query tenantId)";
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Long-lived when the entry holds a client secret, a client certificate (or its path or password), a private key
    /// or a password, at the top level of the envelope's data or inside a nested object; every other Azure entry (access,
    /// refresh and ID tokens, OIDC client assertions) is session data.
    /// </remarks>
    public CredentialClass Classify(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Fields.Any(f => IsKeychainField(f.Key, f.Value)) || entry.Fields.Values.Any(v => ParseObject(v) is { } nested && HoldsKeychainField(nested))
            ? CredentialClass.LongLived
            : CredentialClass.Session;
    }

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = request.Environment;
        var steps = FolderRemovalStep.ForProviders(RemoveProviderFolder, request).ToList();

        // Identities not covered by a whole provider folder: their subscriptions only, one step per config folder.
        // Every folder of the provider an atmos version wrote to (ProviderTarget.Folders), each on its own.
        var byFolder = request.IdentitiesOutsideWholeProviders()
            .Where(i => i.Provider is not null)
            .SelectMany(i => i.Provider!.Folders.Select(f => (Folder: f, Identity: i)))
            .GroupBy(x => x.Folder.Folder, StringComparer.Ordinal);
        foreach (var entries in byFolder)
        {
            var provider = entries.First().Identity.Provider!;
            var location = entries.First().Folder;
            var group = entries.Select(x => x.Identity).ToList();
            var refs = new List<(string Identity, SubscriptionRef Subscription)>();
            foreach (var identity in group)
            {
                if (SubscriptionOf(identity) is { } subscription)
                {
                    refs.Add((identity.Name, subscription));
                }
            }

            var survey = AzureCliConfigFolder.Survey(location.Folder, refs);
            if (survey.Paths.Count == 0)
            {
                continue;
            }

            steps.Add(new FileStep
            {
                Action = RemoveSubscriptions,
                Principals = survey.Identities,
                Target = FolderRemovalStep.AsFolder(location.Folder),
                Paths = survey.Paths,
                Note = FolderRemovalStep.NoteFor(provider, location),
                Arguments = new Dictionary<string, string>
                {
                    ["base"] = location.BaseFolder,
                    ["folder"] = location.Folder,
                    ["subscriptions"] = SubscriptionRef.Format(refs.Where(r => survey.Identities.Contains(r.Identity)).Select(r => r.Subscription)),
                },
            });
        }

        // The device-code token of every provider involved: logging out a provider, or an identity whose chain starts
        // at it, ends the provider's session (SPEC §3, like the AWS SSO token cache).
        steps.AddRange(Involved(request)
            .Select(p => FolderRemovalStep.Plan(ClearDeviceCodeCache, [p.Name], DeviceCodeTokenCache.BaseFolder(environment), DeviceCodeTokenCache.Folder(environment, p.Name), "device-code token cache"))
            .OfType<FileStep>());

        return steps;
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(environment);
        return step.Action switch
        {
            RemoveProviderFolder or ClearDeviceCodeCache => FolderRemovalStep.Execute(step, environment),
            RemoveSubscriptions => AzureCliConfigFolder.Execute(
                step.Arguments["base"],
                step.Arguments["folder"],
                SubscriptionRef.Parse(step.Arguments["subscriptions"]),
                environment,
                cancellationToken),
            _ => StepResult.Failed("unknown action", $"the azure plugin has no action '{step.Action}'"),
        };
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var artifacts = new List<StoredArtifact>();
        foreach (var identity in request.Identities.Where(i => i.Provider is not null))
        {
            if (SubscriptionOf(identity) is { } subscription)
            {
                foreach (var folder in identity.Provider!.Folders)
                {
                    InspectSubscription(identity.Name, folder.Folder, subscription, artifacts);
                }
            }
        }

        foreach (var provider in Involved(request))
        {
            var token = Path.Join(DeviceCodeTokenCache.Folder(request.Environment, provider.Name), DeviceCodeTokenCache.FileName);
            if (File.Exists(token))
            {
                artifacts.Add(new StoredArtifact(provider.Name, token, CredentialClass.Session, "device-code access token", DeviceCodeTokenCache.ExpiresAt(token)));
            }
        }

        return artifacts;
    }

    private static void InspectSubscription(string identity, string folder, SubscriptionRef subscription, List<StoredArtifact> artifacts)
    {
        var profilePath = Path.Join(folder, AzureProfile.FileName);
        var cachePath = Path.Join(folder, MsalTokenCache.FileName);
        SubscriptionUser? user;
        try
        {
            if (!File.Exists(profilePath))
            {
                return;
            }

            var entry = AzureProfile.Subscriptions(JsonFile.Parse(File.ReadAllBytes(profilePath), profilePath), profilePath).FirstOrDefault(subscription.Matches);
            if (entry is null)
            {
                return;
            }

            artifacts.Add(new StoredArtifact(identity, profilePath, CredentialClass.Session, $"subscription {subscription.Id} in azureProfile.json"));
            user = AzureProfile.UserOf(entry);
        }
        catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
        {
            artifacts.Add(new StoredArtifact(identity, profilePath, CredentialClass.Session, $"unreadable: {ex.Message}"));
            return;
        }

        if (user is null || !File.Exists(cachePath))
        {
            return;
        }

        try
        {
            var cache = JsonFile.Parse(File.ReadAllBytes(cachePath), cachePath);
            var accounts = user.IsServicePrincipal ? [] : MsalTokenCache.AccountsOf(cache, user.Name, cachePath);
            foreach (var token in MsalTokenCache.Entries(cache, MsalTokenCache.AccessToken, cachePath))
            {
                if (user.IsServicePrincipal ? MsalTokenCache.IsServicePrincipalToken(token, user.Name) : accounts.Any(a => a.Owns(token)))
                {
                    var scope = SubscriptionRef.Text(token, "target");
                    artifacts.Add(new StoredArtifact(identity, cachePath, CredentialClass.Session, $"MSAL access token{(scope is null ? string.Empty : $" for {scope}")}", MsalTokenCache.ExpiresOn(token)));
                }
            }

            if (MsalTokenCache.Entries(cache, MsalTokenCache.RefreshToken, cachePath).Any(t => accounts.Any(a => a.Owns(t))))
            {
                artifacts.Add(new StoredArtifact(identity, cachePath, CredentialClass.Session, $"MSAL refresh token of {user.Name}"));
            }
        }
        catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
        {
            artifacts.Add(new StoredArtifact(identity, cachePath, CredentialClass.Session, $"unreadable: {ex.Message}"));
        }
    }

    private static SubscriptionRef? SubscriptionOf(IdentityTarget identity) =>
        identity.Kind == AzureKinds.Subscription && identity.Settings.GetString("principal.subscription_id") is { Length: > 0 } id
            ? new SubscriptionRef(id, identity.Settings.GetString("principal.tenant_id") is { Length: > 0 } tenant ? tenant : null)
            : null;

    // Whole providers and the root providers of the identities, once each.
    private static IEnumerable<ProviderTarget> Involved(PlanRequest request) =>
        request.Providers.Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>()).DistinctBy(p => p.Name);

    private static string? Setting(Settings settings, string name) => settings.GetString($"spec.{name}") ?? settings.GetString(name);

    private static bool IsKeychainField(string name, string? value) =>
        KeychainFields.Contains(name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal))
        && !string.IsNullOrWhiteSpace(value) && value != "null";

    private static bool HoldsKeychainField(JsonObject node) =>
        node.Any(p => p.Value is JsonObject child
            ? HoldsKeychainField(child)
            : IsKeychainField(p.Key, p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : p.Value?.ToJsonString()));

    private static JsonObject? ParseObject(string? text)
    {
        if (text is null || !text.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
