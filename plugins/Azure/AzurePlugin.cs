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
    private const string RemoveAzureCliLogins = "remove-azure-cli-logins";
    private const string RemoveAtmosCredentials = "remove-atmos-credentials";
    private const string RemoveRealmSignIns = "remove-realm-msal-sign-ins";
    private const string RemoveServicePrincipalEntries = "remove-service-principal-entries";

    // Keyring data fields that hold a keychain credential rather than a token, compared without case, '_' or '-'.
    private static readonly HashSet<string> KeychainFields = new(
        ["clientsecret", "clientcertificate", "clientcertificatepath", "clientcertificatepassword", "certificate", "certificatepath", "certificatepassword", "privatekey", "password"],
        StringComparer.OrdinalIgnoreCase);

    // What an isolated Azure CLI config folder holds (atmos' files and the Azure CLI's): a provider folder under a
    // configured base_path holding none of these is left alone.
    private static readonly string[] ProviderFolderNames =
    [
        AzureProfile.FileName, MsalTokenCache.FileName, MsalTokenCache.LockFileName, "credentials.json", "service_principal_entries.json",
        "msal_http_cache.bin", "az.json", "az.sess", "clouds.config", "config", "commandIndex.json", "versionCheck.json", "telemetry", "logs",
        "cliextensions", "commands",
    ];

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
    /// <remarks>atmos cannot store Azure credentials in its keyring (its envelope has no Azure type): no Azure kind leaves an entry.</remarks>
    public bool LeavesKeyringEntry(string kind) => false;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = request.Environment;
        var steps = FolderRemovalStep.ForProviders(RemoveProviderFolder, request, ProviderFolderNames).ToList();

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

        steps.AddRange(PlanAtmosFiles(request));

        // The device-code token of every provider involved: logging out a provider, or an identity whose chain starts
        // at it, ends the provider's session (SPEC §3, like the AWS SSO token cache).
        steps.AddRange(Involved(request)
            .SelectMany(p => AtmosAzureFiles.Names(p.Name).Select(name => FolderRemovalStep.Plan(ClearDeviceCodeCache, [p.Name], DeviceCodeTokenCache.BaseFolder(environment), DeviceCodeTokenCache.Folder(environment, name), "device-code token cache")))
            .OfType<FileStep>());

        return steps;
    }

    // Where real atmos keeps the logins (REAL-ATMOS §5, AtmosAzureFiles): the Azure CLI's own files, edited for exactly
    // the subscriptions and accounts of what is logged out; atmos's credentials.json of every provider involved (the
    // provider's session, which ends with any identity of its chain); the provider's sign-ins in atmos's realm MSAL cache;
    // the federated service principal entry of an azure/oidc provider.
    private static IEnumerable<FileStep> PlanAtmosFiles(PlanRequest request)
    {
        var environment = request.Environment;
        var involved = Involved(request).ToList();

        // 1. ~/.azure/azureProfile.json and msal_token_cache.json: the identities' subscriptions, and a whole provider's own
        //    subscription (spec.subscription_id, which a device-code login records too). Not through an azure/cli provider:
        //    its credentials come from the user's own `az login`, which atmos never writes back (UpdateAzureCLIFiles).
        var refs = request.Identities.Where(i => i.Provider?.Kind != AzureKinds.Cli).Select(i => (i.Name, Subscription: SubscriptionOf(i)))
            .Concat(request.Providers.Where(p => p.Kind != AzureKinds.Cli).Select(p => (p.Name, Subscription: ProviderSubscriptionOf(p))))
            .Where(r => r.Subscription is not null)
            .Select(r => (r.Name, r.Subscription!))
            .ToList();
        if (refs.Count > 0)
        {
            var cli = AtmosAzureFiles.AzureCliFolder(environment);
            var survey = AzureCliConfigFolder.Survey(cli, refs);
            if (survey.Paths.Count > 0)
            {
                yield return new FileStep
                {
                    Action = RemoveAzureCliLogins,
                    Principals = survey.Identities.Distinct(StringComparer.Ordinal).ToList(),
                    Target = survey.Paths[0],
                    Paths = survey.Paths,
                    Note = "Azure CLI login",
                    Arguments = new Dictionary<string, string>
                    {
                        ["subscriptions"] = SubscriptionRef.Format(refs.Where(r => survey.Identities.Contains(r.Item1)).Select(r => r.Item2).Distinct()),
                    },
                };
            }
        }

        // 2. ~/.azure/atmos/[<realm>/]<provider>/credentials.json.
        foreach (var provider in involved)
        {
            if (FileRemovalStep.Plan(RemoveAtmosCredentials, [provider.Name], AtmosAzureFiles.AtmosFolder(environment), AtmosAzureFiles.CredentialFiles(provider, environment), "atmos Azure credentials") is { } credentials)
            {
                yield return credentials;
            }
        }

        // 3. ~/.azure/atmos/<realm>/msal_token_cache.json: the sign-ins of the providers' tenants (MSAL's refresh tokens).
        var tenants = involved.Where(p => p.Kind is AzureKinds.DeviceCode or AzureKinds.Interactive).Select(p => (p.Name, Tenant: Setting(p.Settings, "tenant_id"))).Where(t => !string.IsNullOrWhiteSpace(t.Tenant)).ToList();
        if (AtmosAzureFiles.RealmMsalCache(environment) is { } realmCache && tenants.Count > 0 && SafeFile.Probe(realmCache).Kind != EntryKind.Missing)
        {
            var owners = OwnersIn(realmCache, tenants, content =>
            {
                var cache = JsonFile.Parse(content, realmCache);
                return t => AtmosAzureFiles.SignInsOf(cache, t.Tenant!, realmCache).Count > 0;
            });

            if (owners.Count > 0)
            {
                yield return new FileStep
                {
                    Action = RemoveRealmSignIns,
                    Principals = owners.Select(o => o.Name).ToList(),
                    Target = realmCache,
                    Paths = [realmCache],
                    Note = "atmos MSAL token cache",
                    Arguments = new Dictionary<string, string>
                    {
                        [FolderRemovalStep.BaseArgument] = AtmosAzureFiles.AtmosFolder(environment),
                        ["tenants"] = string.Join('\n', owners.Select(o => o.Tenant).Distinct(StringComparer.OrdinalIgnoreCase)),
                    },
                };
            }
        }

        // 4. ~/.azure/service_principal_entries.json: the federated entries of the azure/oidc providers.
        var federated = involved.Where(p => p.Kind == AzureKinds.Oidc && !string.IsNullOrWhiteSpace(Setting(p.Settings, "client_id")))
            .Select(p => (p.Name, ClientId: Setting(p.Settings, "client_id")!, Tenant: Setting(p.Settings, "tenant_id")))
            .ToList();
        var entries = Path.Join(AtmosAzureFiles.AzureCliFolder(environment), AtmosAzureFiles.ServicePrincipalEntriesFileName);
        if (federated.Count > 0 && SafeFile.Probe(entries).Kind != EntryKind.Missing)
        {
            var owners = OwnersIn(entries, federated, content =>
            {
                var document = JsonText.Parse(content, entries);
                return f => document.RemoveWhere(item => AtmosAzureFiles.IsFederatedEntry(item, [(f.ClientId, f.Tenant)]), out var found).Kind != FileEditKind.Unchanged && found > 0;
            });

            if (owners.Count > 0)
            {
                yield return new FileStep
                {
                    Action = RemoveServicePrincipalEntries,
                    Principals = owners.Select(o => o.Name).ToList(),
                    Target = entries,
                    Paths = [entries],
                    Note = "Azure CLI service principal",
                    Arguments = new Dictionary<string, string> { ["principals"] = string.Join('\n', owners.Select(o => $"{o.ClientId} {o.Tenant}".TrimEnd())) },
                };
            }
        }
    }

    // Which candidates have something in the file, read once; a file that cannot be read (malformed, not a regular file,
    // permission denied) counts for all of them: the step is planned anyway, and executing it reports the problem.
    private static List<T> OwnersIn<T>(string path, List<T> candidates, Func<byte[], Func<T, bool>> holds)
    {
        try
        {
            return candidates.Where(holds(SafeFile.ReadAllBytes(path))).ToList();
        }
        catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
        {
            return candidates;
        }
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
            RemoveAzureCliLogins => AzureCliConfigFolder.Execute(
                Path.GetDirectoryName(step.Paths[0])!,
                Path.GetDirectoryName(step.Paths[0])!,
                SubscriptionRef.Parse(step.Arguments["subscriptions"]),
                environment,
                cancellationToken),
            RemoveAtmosCredentials => FileRemovalStep.Execute(step, environment),
            RemoveRealmSignIns => RemoveSignIns(step, environment, cancellationToken),
            RemoveServicePrincipalEntries => RemoveFederatedEntries(step, environment, cancellationToken),
            _ => StepResult.Failed("unknown action", $"the azure plugin has no action '{step.Action}'"),
        };
    }

    private static StepResult RemoveSignIns(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        var path = step.Paths[0];
        var tenants = step.Arguments["tenants"].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            var outcome = JsonFile.Edit(
                step.Arguments[FolderRemovalStep.BaseArgument],
                path,
                cache => AtmosAzureFiles.RemoveTenantSignIns(cache, tenants, path) > 0 ? FileEditKind.Replace : FileEditKind.Unchanged,
                environment.LockTimeout,
                cancellationToken);
            return outcome == EditOutcome.Replaced
                ? StepResult.Removed()
                : StepResult.NotFound($"no sign-in of tenant {string.Join(", ", tenants)} in {environment.Display(path)}");
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, path, environment);
        }
    }

    private static StepResult RemoveFederatedEntries(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        var path = step.Paths[0];
        var principals = step.Arguments["principals"].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Select(parts => (parts[0], parts.Length > 1 ? parts[1] : null))
            .ToList();
        try
        {
            var outcome = JsonText.Edit(Path.GetDirectoryName(path)!, path, item => AtmosAzureFiles.IsFederatedEntry(item, principals), environment.LockTimeout, cancellationToken);
            return outcome == EditOutcome.Replaced
                ? StepResult.Removed()
                : StepResult.NotFound($"no federated entry of {string.Join(", ", principals.Select(p => p.Item1))} in {environment.Display(path)}");
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, path, environment);
        }
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

        var environment = request.Environment;
        foreach (var identity in request.Identities)
        {
            if (SubscriptionOf(identity) is { } subscription)
            {
                InspectSubscription(identity.Name, AtmosAzureFiles.AzureCliFolder(environment), subscription, artifacts);
            }
        }

        foreach (var provider in request.Providers)
        {
            if (ProviderSubscriptionOf(provider) is { } subscription)
            {
                InspectSubscription(provider.Name, AtmosAzureFiles.AzureCliFolder(environment), subscription, artifacts);
            }
        }

        var realmCache = AtmosAzureFiles.RealmMsalCache(environment);
        JsonNode? realmSignIns = null;
        if (realmCache is not null && SafeFile.Probe(realmCache).Exists)
        {
            try
            {
                realmSignIns = JsonFile.Parse(SafeFile.ReadAllBytes(realmCache), realmCache);
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                artifacts.Add(new StoredArtifact(Involved(request).First().Name, realmCache, CredentialClass.Session, $"unreadable: {ex.Message}"));
            }
        }

        foreach (var provider in Involved(request))
        {
            foreach (var name in AtmosAzureFiles.Names(provider.Name))
            {
                var token = Path.Join(DeviceCodeTokenCache.Folder(environment, name), DeviceCodeTokenCache.FileName);
                if (SafeFile.Probe(token).Exists)
                {
                    artifacts.Add(new StoredArtifact(provider.Name, token, CredentialClass.Session, "device-code access token", DeviceCodeTokenCache.ExpiresAt(token)));
                }
            }

            foreach (var credentials in AtmosAzureFiles.CredentialFiles(provider, environment).Where(f => SafeFile.Probe(f).Exists))
            {
                artifacts.Add(new StoredArtifact(provider.Name, credentials, CredentialClass.Session, "atmos Azure credentials (access tokens)", AtmosAzureFiles.ExpirationOf(credentials)));
            }

            if (realmSignIns is not null && provider.Kind is AzureKinds.DeviceCode or AzureKinds.Interactive && Setting(provider.Settings, "tenant_id") is { Length: > 0 } tenant)
            {
                artifacts.AddRange(AtmosAzureFiles.SignInsOf(realmSignIns, tenant, realmCache!).Select(user => new StoredArtifact(provider.Name, realmCache!, CredentialClass.Session, $"atmos MSAL sign-in of {user} (refresh token)")));
            }
        }

        var entries = Path.Join(AtmosAzureFiles.AzureCliFolder(environment), AtmosAzureFiles.ServicePrincipalEntriesFileName);
        foreach (var provider in Involved(request).Where(p => p.Kind == AzureKinds.Oidc && Setting(p.Settings, "client_id") is { Length: > 0 }))
        {
            if (SafeFile.Probe(entries).Exists)
            {
                try
                {
                    var found = 0;
                    JsonText.Parse(SafeFile.ReadAllBytes(entries), entries).RemoveWhere(item => AtmosAzureFiles.IsFederatedEntry(item, [(Setting(provider.Settings, "client_id")!, Setting(provider.Settings, "tenant_id"))]) && ++found > 0, out _);
                    if (found > 0)
                    {
                        artifacts.Add(new StoredArtifact(provider.Name, entries, CredentialClass.Session, "Azure CLI federated service principal (client assertion)"));
                    }
                }
                catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
                {
                    artifacts.Add(new StoredArtifact(provider.Name, entries, CredentialClass.Session, $"unreadable: {ex.Message}"));
                }
            }
        }

        return artifacts;
    }

    // A whole provider's own subscription (spec.subscription_id): a device-code login records it in azureProfile.json.
    private static SubscriptionRef? ProviderSubscriptionOf(ProviderTarget provider) =>
        Setting(provider.Settings, "subscription_id") is { Length: > 0 } id
            ? new SubscriptionRef(id, Setting(provider.Settings, "tenant_id") is { Length: > 0 } tenant ? tenant : null)
            : null;

    private static void InspectSubscription(string identity, string folder, SubscriptionRef subscription, List<StoredArtifact> artifacts)
    {
        var profilePath = Path.Join(folder, AzureProfile.FileName);
        var cachePath = Path.Join(folder, MsalTokenCache.FileName);
        SubscriptionUser? user;
        try
        {
            switch (SafeFile.Probe(profilePath).Kind)
            {
                case EntryKind.Missing:
                    return;
                case EntryKind.Inaccessible:
                    artifacts.Add(new StoredArtifact(identity, profilePath, CredentialClass.Session, "cannot check: permission denied"));
                    return;
            }

            var entry = AzureProfile.Subscriptions(JsonFile.Parse(SafeFile.ReadAllBytes(profilePath), profilePath), profilePath).FirstOrDefault(subscription.Matches);
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

        if (user is null || SafeFile.Probe(cachePath).Kind == EntryKind.Missing)
        {
            return;
        }

        try
        {
            var cache = JsonFile.Parse(SafeFile.ReadAllBytes(cachePath), cachePath);
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
