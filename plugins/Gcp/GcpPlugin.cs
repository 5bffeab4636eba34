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
    private const string RemoveConfig = "remove-identity-config";
    private const string AdcFolder = "adc";
    private const string ConfigFolder = "config";
    private const string AccessTokenFileName = "access_token";
    private const string PropertiesFileName = "properties";
    private const string IdentityLockSuffix = ".identity.lock";
    private const string AdcFileName = "application_default_credentials.json";

    // What atmos writes in a provider folder (and real atmos: config/<identity>, <identity>.identity.lock): a provider
    // folder under a configured base_path holding none of these is left alone.
    private static readonly string[] ProviderFolderNames = [AdcFolder, GcloudConfigFolder.FolderName, ConfigFolder];

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

        if (!ContainedPath.IsSafeName(identity.Name, out var nameProblem))
        {
            yield return $"identity '{identity.Name}' ({identity.Kind}): its name {nameProblem}, but it names the folder of its application default credentials (atmos refuses it too); rename it";
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
    /// <remarks>
    /// The GCP providers are ambient (the token comes from gcloud or the federation on every call; atmos purges any entry
    /// of theirs); service-account and project identities keep their access token (envelope type <c>gcp</c>).
    /// </remarks>
    public bool LeavesKeyringEntry(string kind) => kind is GcpKinds.ServiceAccount or GcpKinds.Project;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = FolderRemovalStep.ForProviders(RemoveProviderFolder, request, ProviderFolderNames).ToList();

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

            // atmos's own per-identity folders (pkg/auth/cloud/gcp/files.go): adc/<identity>/ (the credentials and the
            // access_token file) and config/<identity>/ (gcloud properties), removed under the identity's lock as atmos does.
            steps.AddRange(group
                .SelectMany(i => AdcNames(i).SelectMany(name => new[]
                {
                    FolderRemovalStep.Plan(RemoveAdc, [i.Name], location.BaseFolder, Path.Join(location.Folder, AdcFolder, name), FolderRemovalStep.NoteFor(provider, location)),
                    FolderRemovalStep.Plan(RemoveConfig, [i.Name], location.BaseFolder, Path.Join(location.Folder, ConfigFolder, name), FolderRemovalStep.NoteFor(provider, location)),
                }))
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

            case RemoveAdc or RemoveConfig:
                return RemoveIdentityFolder(step, environment, cancellationToken);

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

    // adc/<identity>/ or config/<identity>/ under the lock atmos takes for every write and cleanup of the identity's files,
    // <provider>/<identity>.identity.lock: a write atmos has under way finishes first, and none starts meanwhile. The lock
    // file stays (atmos never deletes it: its mutual exclusion needs a stable path); it is taken only when atmos made one.
    private static StepResult RemoveIdentityFolder(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        var folder = step.Arguments[FolderRemovalStep.FolderArgument];
        var lockPath = Path.Join(Path.GetDirectoryName(Path.GetDirectoryName(folder)), Path.GetFileName(folder) + IdentityLockSuffix);
        FileLock? identityLock = null;
        try
        {
            if (SafeFile.Probe(lockPath).Kind == EntryKind.File)
            {
                ContainedPath.Resolve(step.Arguments[FolderRemovalStep.BaseArgument], lockPath);
                identityLock = FileLock.AcquireAt(lockPath, environment.LockTimeout, cancellationToken);
            }

            var result = FolderRemovalStep.Execute(step, environment);
            if (result.Status == StepStatus.Removed)
            {
                ContainedPath.RemoveIfEmpty(step.Arguments[FolderRemovalStep.BaseArgument], Path.GetDirectoryName(folder)!);
            }

            return result;
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, folder, environment);
        }
        finally
        {
            identityLock?.Dispose();
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
                        switch (SafeFile.Probe(adc).Kind)
                        {
                            case EntryKind.Missing:
                                break;
                            case EntryKind.Inaccessible:
                                artifacts.Add(new StoredArtifact(identity.Name, adc, CredentialClass.Session, "cannot check: permission denied"));
                                break;
                            default:
                                artifacts.Add(DescribeFile(identity.Name, adc, "application default credentials"));
                                break;
                        }

                        var token = Path.Join(folder.Folder, AdcFolder, name, AccessTokenFileName);
                        if (SafeFile.Probe(token).Exists)
                        {
                            artifacts.Add(new StoredArtifact(identity.Name, token, CredentialClass.Session, "access token", AccessTokenExpiry(token)));
                        }

                        var properties = Path.Join(folder.Folder, ConfigFolder, name, PropertiesFileName);
                        if (SafeFile.Probe(properties).Exists)
                        {
                            artifacts.Add(new StoredArtifact(identity.Name, properties, CredentialClass.Session, "gcloud properties (project, region)"));
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
                artifacts.Add(SafeFile.Probe(key).Exists
                    ? DescribeFile(owner, key, $"gcloud legacy credentials of {Path.GetFileName(legacy)}")
                    : new StoredArtifact(owner, legacy, CredentialClass.Session, $"gcloud legacy credentials of {Path.GetFileName(legacy)}"));
            }
        }
    }

    // atmos's access_token file: the token on the first line, its expiry (RFC 3339) on the second.
    private static DateTimeOffset? AccessTokenExpiry(string path)
    {
        try
        {
            var lines = System.Text.Encoding.UTF8.GetString(SafeFile.ReadAllBytes(path, 1024 * 1024)).Split('\n');
            return lines.Length > 1 && DateTimeOffset.TryParse(lines[1].Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static StoredArtifact DescribeFile(string principal, string path, string description)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(SafeFile.ReadAllBytes(path));
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
