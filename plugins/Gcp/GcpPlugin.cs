using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Gcp;

/// <summary>
/// GCP: each identity's Application Default Credentials <c>&lt;base&gt;/&lt;provider&gt;/adc/&lt;identity&gt;/</c>, the
/// provider's isolated gcloud config folder <c>&lt;base&gt;/&lt;provider&gt;/gcloud/</c>, and the provider folder.
/// </summary>
public sealed class GcpPlugin : IProviderPlugin
{
    private const string RemoveProviderFolder = "remove-provider-folder";
    private const string RemoveGcloudAccounts = "remove-gcloud-accounts";
    private const string RemoveAdc = "remove-adc";
    private const string AdcFolder = "adc";
    private const string AdcFileName = "application_default_credentials.json";

    /// <inheritdoc />
    public string Cloud => "gcp";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Kind == GcpKinds.WorkloadIdentityFederation)
        {
            var audience = provider.Settings.GetString("spec.audience") ?? provider.Settings.GetString("audience");
            if (string.IsNullOrWhiteSpace(audience))
            {
                yield return $"provider '{provider.Name}' (gcp/workload-identity-federation) has no audience; add spec.audience: //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>";
            }
            else if (!audience.StartsWith("//iam.googleapis.com/", StringComparison.Ordinal))
            {
                yield return $"provider '{provider.Name}': audience '{audience}' is not a workload identity pool provider (it starts with //iam.googleapis.com/)";
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Kind is not (GcpKinds.ServiceAccount or GcpKinds.Project))
        {
            yield break;
        }

        if (identity.Settings.GetSection("via") is null)
        {
            yield return $"identity '{identity.Name}' ({identity.Kind}) needs via.provider naming a GCP provider";
        }

        if (identity.Kind == GcpKinds.ServiceAccount)
        {
            if (AccountProblem(identity.Settings.GetString("principal.service_account_email")) is { } problem)
            {
                yield return $"identity '{identity.Name}' needs principal.service_account_email (<name>@<project>.iam.gserviceaccount.com): {problem}";
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(identity.Settings.GetString("principal.project_id")))
            {
                yield return $"identity '{identity.Name}' (gcp/project) needs principal.project_id";
            }

            if (identity.Settings.GetString("principal.account") is { } account && AccountProblem(account) is { } problem)
            {
                yield return $"identity '{identity.Name}': principal.account {problem}";
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Long-lived when the entry holds a service-account key (see <see cref="GoogleCredential"/>), anywhere in its data; session otherwise.</remarks>
    public CredentialClass Classify(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var data = new JsonObject();
        foreach (var (name, value) in entry.Fields)
        {
            data[name] = GoogleCredential.TryParse(value) ?? JsonValue.Create(value);
        }

        return GoogleCredential.Classify(data);
    }

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = FolderRemovalStep.ForProviders(RemoveProviderFolder, request).ToList();

        // Identities not covered by a whole provider folder: their accounts in the shared gcloud folder, their own ADC.
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
            var gcloud = Path.Join(location.Folder, GcloudConfigFolder.FolderName);
            var accounts = group.Select(i => AccountOf(i, gcloud)).OfType<IdentityAccount>().ToList();
            var survey = GcloudConfigFolder.Survey(gcloud, accounts, request.Environment.LockTimeout);
            if (survey.Paths.Count > 0)
            {
                steps.Add(new FileStep
                {
                    Action = RemoveGcloudAccounts,
                    Principals = survey.Identities,
                    Target = FolderRemovalStep.AsFolder(gcloud),
                    Paths = survey.Paths,
                    Note = FolderRemovalStep.NoteFor(provider, location),
                    Arguments = new Dictionary<string, string>
                    {
                        ["base"] = location.BaseFolder,
                        ["folder"] = gcloud,
                        ["accounts"] = string.Join('\n', survey.Accounts),
                        ["own_configurations"] = ConfigurationAccount.Format(survey.OwnConfigurations),
                    },
                });
            }

            steps.AddRange(group
                .SelectMany(i => AdcNames(i).Select(name => FolderRemovalStep.Plan(RemoveAdc, [i.Name], location.BaseFolder, Path.Join(location.Folder, AdcFolder, name), FolderRemovalStep.NoteFor(provider, location))))
                .OfType<FileStep>());
        }

        return steps;
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(environment);
        switch (step.Action)
        {
            case RemoveProviderFolder:
                return FolderRemovalStep.Execute(step, environment);

            case RemoveAdc:
                var result = FolderRemovalStep.Execute(step, environment);
                if (result.Status == StepStatus.Removed)
                {
                    ContainedPath.RemoveIfEmpty(step.Arguments[FolderRemovalStep.BaseArgument], Path.GetDirectoryName(step.Arguments[FolderRemovalStep.FolderArgument])!);
                }

                return result;

            case RemoveGcloudAccounts:
                return GcloudConfigFolder.Execute(
                    step.Arguments["base"],
                    step.Arguments["folder"],
                    step.Arguments["accounts"].Split('\n', StringSplitOptions.RemoveEmptyEntries),
                    ConfigurationAccount.Parse(step.Arguments["own_configurations"]),
                    environment,
                    cancellationToken);

            default:
                return StepResult.Failed("unknown action", $"the gcp plugin has no action '{step.Action}'");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var artifacts = new List<StoredArtifact>();
        var providers = request.Providers.Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>()).DistinctBy(p => p.Name).ToList();
        var wholeProviders = request.Providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            var identities = request.Identities.Where(i => i.Provider?.Name == provider.Name).ToList();
            foreach (var folder in provider.Folders)
            {
                var gcloud = Path.Join(folder.Folder, GcloudConfigFolder.FolderName);
                foreach (var identity in identities)
                {
                    foreach (var name in AdcNames(identity))
                    {
                        var adc = Path.Join(folder.Folder, AdcFolder, name, AdcFileName);
                        if (File.Exists(adc))
                        {
                            artifacts.Add(DescribeFile(identity.Name, adc, "application default credentials"));
                        }
                    }
                }

                var owners = identities.Select(i => AccountOf(i, gcloud)).OfType<IdentityAccount>().ToList();
                InspectGcloud(gcloud, owners, wholeProviders.Contains(provider.Name) ? provider.Name : null, request.Environment.LockTimeout, artifacts);
            }
        }

        return artifacts;
    }

    // The rows and legacy folders of the identities' accounts; with a provider name, also every other account's (as the provider's).
    private static void InspectGcloud(string gcloud, List<IdentityAccount> owners, string? provider, TimeSpan busyTimeout, List<StoredArtifact> artifacts)
    {
        string? OwnerOf(string account) => owners.FirstOrDefault(o => GcloudConfigFolder.SameAccount(o.Account, account))?.Identity ?? provider;

        foreach (var database in GcloudDatabase.All)
        {
            var path = Path.Join(gcloud, database.FileName);
            try
            {
                foreach (var row in GcloudDatabases.Read(path, database, busyTimeout))
                {
                    if (OwnerOf(row.Account) is not { } owner)
                    {
                        continue;
                    }

                    artifacts.Add(database == GcloudDatabase.Credentials
                        ? new StoredArtifact(owner, path, GoogleCredential.Classify(row.Value), $"gcloud credential of {row.Account} ({GoogleCredential.TypeOf(row.Value)})")
                        : new StoredArtifact(owner, path, CredentialClass.Session, $"gcloud access token of {row.Account}", row.Expires));
                }
            }
            catch (Exception ex) when (ex is GcloudDatabaseException or IOException or UnauthorizedAccessException)
            {
                artifacts.Add(new StoredArtifact(provider ?? owners.FirstOrDefault()?.Identity ?? path, path, CredentialClass.Session, $"unreadable: {ex.Message}"));
            }
        }

        var legacyRoot = Path.Join(gcloud, GcloudConfigFolder.LegacyFolder);
        IEnumerable<string> legacyFolders = Directory.Exists(legacyRoot) ? Directory.EnumerateDirectories(legacyRoot).Order(StringComparer.Ordinal) : [];
        foreach (var legacy in legacyFolders)
        {
            if (OwnerOf(Path.GetFileName(legacy)) is { } owner)
            {
                var key = Path.Join(legacy, "adc.json");
                artifacts.Add(File.Exists(key)
                    ? DescribeFile(owner, key, $"gcloud legacy credentials of {Path.GetFileName(legacy)}")
                    : new StoredArtifact(owner, legacy, CredentialClass.Session, $"gcloud legacy credentials of {Path.GetFileName(legacy)}"));
            }
        }
    }

    private static StoredArtifact DescribeFile(string principal, string path, string description)
    {
        try
        {
            var text = File.ReadAllText(path);
            return new StoredArtifact(principal, path, GoogleCredential.Classify(text), $"{description} ({GoogleCredential.TypeOf(text)})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new StoredArtifact(principal, path, CredentialClass.Session, $"unreadable: {ex.Message}");
        }
    }

    // The identity's ADC folder names: as atmos writes them (lower case) and, when different, as written. A name that is
    // not a single path segment has no ADC folder (atmos refuses it: validatePathSegment).
    private static IEnumerable<string> AdcNames(IdentityTarget identity)
    {
        var lower = identity.Name.ToLowerInvariant();
        return (lower == identity.Name ? [identity.Name] : new[] { lower, identity.Name }).Where(n => ContainedPath.IsSafeName(n, out _));
    }

    // A service account is its own account. A project identity works with principal.account, or else with the account
    // its own gcloud configuration (configurations/config_<identity>) names; without either it has no account to log out.
    private static IdentityAccount? AccountOf(IdentityTarget identity, string gcloud)
    {
        if (identity.Kind == GcpKinds.ServiceAccount)
        {
            return identity.Settings.GetString("principal.service_account_email") is { Length: > 0 } email ? new IdentityAccount(identity.Name, email, Borrowed: false) : null;
        }

        if (identity.Kind != GcpKinds.Project)
        {
            return null;
        }

        var account = identity.Settings.GetString("principal.account");
        if (string.IsNullOrEmpty(account))
        {
            try
            {
                account = GcloudConfigFolder.AccountIn(Path.Join(gcloud, GcloudConfigFolder.ConfigurationsFolder, GcloudConfigFolder.ConfigurationOf(identity.Name)));
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                account = null; // the survey lists the malformed configuration, so the step reports it
            }
        }

        return string.IsNullOrEmpty(account) ? null : new IdentityAccount(identity.Name, account, Borrowed: true);
    }

    private static string? AccountProblem(string? account) => account switch
    {
        null or "" => "it is missing",
        _ when !account.Contains('@', StringComparison.Ordinal) => $"'{account}' is not an e-mail address",
        _ when !ContainedPath.IsSafeName(account, out var problem) => $"'{account}' {problem}",
        _ => null,
    };
}
