using System.Collections.Concurrent;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// AWS: profiles in <c>&lt;base&gt;/&lt;provider&gt;/credentials</c> and <c>config</c>, the provider folder, and the AWS CLI's
/// SSO token cache of the provider's start URL.
/// </summary>
public sealed class AwsPlugin : IProviderPlugin
{
    private const string RemoveProfiles = "remove-profiles";
    private const string RemoveProviderFolder = "remove-provider-folder";
    private const string ClearSsoCache = "clear-sso-cache";
    private const string ClearAtmosSsoCache = "clear-atmos-sso-cache";
    private const string RemoveProvisionedIdentities = "remove-provisioned-identities";
    private const string RemoveWebflowToken = "remove-webflow-token";
    private const string ClearSamlBrowserState = "clear-saml-browser-state";
    private const string PortalsArgument = "portals";
    private const string HostsArgument = "hosts";

    // What atmos writes in a provider folder: a folder under a configured base_path holding none of these is left alone.
    private static readonly string[] ProviderFolderNames = [ProfileFiles.Credentials, ProfileFiles.Config];

    /// <inheritdoc />
    public string Cloud => "aws";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (string.IsNullOrWhiteSpace(provider.Settings.GetString("region")))
        {
            yield return $"provider '{provider.Name}' ({provider.Kind}) has no region; add region: e.g. us-east-1";
        }

        if (provider.Kind == AwsKinds.IdentityCenter)
        {
            var startUrl = provider.Settings.GetString("start_url");
            if (string.IsNullOrWhiteSpace(startUrl))
            {
                yield return $"provider '{provider.Name}' has no start_url; add start_url: https://<org>.awsapps.com/start";
            }
            else if (!Uri.TryCreate(startUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                yield return $"provider '{provider.Name}': start_url '{startUrl}' is not an https:// URL";
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var via = identity.Settings.GetSection("via");
        switch (identity.Kind)
        {
            case AwsKinds.PermissionSet:
                if (via?.GetString("provider") is null)
                {
                    yield return $"identity '{identity.Name}' (aws/permission-set) needs via.provider naming an aws/iam-identity-center provider";
                }

                if (string.IsNullOrWhiteSpace(identity.Settings.GetString("principal.name")))
                {
                    yield return $"identity '{identity.Name}' needs principal.name (the permission set, e.g. AdminAccess)";
                }

                if (identity.Settings.GetString("principal.account.name") is null && identity.Settings.GetString("principal.account.id") is null
                    && identity.Settings.GetString("account.name") is null && identity.Settings.GetString("account.id") is null)
                {
                    yield return $"identity '{identity.Name}' needs principal.account.name or principal.account.id";
                }

                break;
            case AwsKinds.AssumeRole:
                if (via is null)
                {
                    yield return $"identity '{identity.Name}' (aws/assume-role) needs via.provider or via.identity to assume the role from";
                }

                if (identity.Settings.GetString("principal.assume_role") is not { Length: > 0 } role || !role.StartsWith("arn:", StringComparison.Ordinal))
                {
                    yield return $"identity '{identity.Name}' needs principal.assume_role with the role ARN (arn:aws:iam::<account>:role/<name>)";
                }

                break;
        }
    }

    /// <inheritdoc />
    public CredentialClass Classify(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Fields.TryGetValue("session_token", out var token) && !string.IsNullOrEmpty(token))
        {
            return CredentialClass.Session;
        }

        // IAM user access keys are the keychain credential; tokens and temporary credentials are session data.
        return entry.Kind == AwsKinds.User ? CredentialClass.LongLived : CredentialClass.Session;
    }

    /// <inheritdoc />
    /// <remarks>
    /// atmos keeps the Identity Center provider's token and an IAM user's keys in the keyring; every credential with a
    /// session token (permission sets, assumed roles and root, SAML logins) lives in the profile files only, and ambient
    /// and emulator identities keep nothing (REAL-ATMOS §2).
    /// </remarks>
    public bool LeavesKeyringEntry(string kind) => kind is AwsKinds.IdentityCenter or AwsKinds.User;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = request.Environment;

        var steps = new List<FileStep>();
        var identitiesOf = request.Identities.Where(i => i.Provider is not null).ToLookup(i => i.Provider!.Name, StringComparer.Ordinal);
        var parents = new ConcurrentDictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        foreach (var provider in request.Providers)
        {
            // The identities whose profiles go with a folder count as logged out too (never read through a link).
            var under = identitiesOf[provider.Name].ToList();
            var profiles = ProfileNames(under);
            foreach (var folder in provider.Folders)
            {
                // Most providers of a large --all have no folder: one read of the parent folder (shared by all providers of a
                // base folder) answers that for every one of them; only a folder that is there costs an lstat.
                if (!MayExist(folder.Folder, parents))
                {
                    continue;
                }

                var info = new DirectoryInfo(folder.Folder);
                if (info.Attributes == (FileAttributes)(-1))
                {
                    continue;
                }

                var found = new HashSet<string>(StringComparer.Ordinal);
                if ((info.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    ProfileFiles.FilesToEdit(folder.Folder, profiles, found);
                }

                var principals = under.Where(i => Profiles(i).Any(found.Contains)).Select(i => i.Name);
                if (FolderRemovalStep.Plan(RemoveProviderFolder, [provider.Name, .. principals], folder.BaseFolder, folder.Folder, FolderRemovalStep.NoteFor(provider, folder)) is { } step)
                {
                    steps.Add(FolderRemovalStep.RequireAtmosContent(step, provider, folder, ProviderFolderNames));
                }
            }
        }

        // Identities not covered by a whole provider folder: remove only their sections, one step per folder, in every
        // folder an atmos version may have written them to.
        // A class, not a tuple: this plugin is framework-dependent ReadyToRun, and a dictionary over a value tuple is an
        // instantiation no image holds, JIT-compiled at every run (docs/performance.md, item 25).
        var byFolder = new Dictionary<string, FolderGroup>(StringComparer.Ordinal);
        foreach (var identity in request.IdentitiesOutsideWholeProviders())
        {
            foreach (var (baseFolder, folder, note) in FoldersOf(identity, environment))
            {
                if (!byFolder.TryGetValue(folder, out var group))
                {
                    byFolder[folder] = group = new FolderGroup(baseFolder, note, []);
                }

                group.Identities.Add(identity);
            }
        }

        foreach (var (folder, (baseFolder, note, identities)) in byFolder)
        {
            if (!MayExist(folder, parents))
            {
                continue;
            }

            var profiles = ProfileNames(identities);
            var found = new HashSet<string>(StringComparer.Ordinal);
            var paths = ProfileFiles.FilesToEdit(folder, profiles, found);
            if (paths.Count == 0)
            {
                continue;
            }

            steps.Add(new FileStep
            {
                Action = RemoveProfiles,
                Principals = identities.Where(i => Profiles(i).Any(found.Contains)).Select(i => i.Name).ToList(),
                Target = FolderRemovalStep.AsFolder(folder),
                Paths = paths,
                Note = note,
                Arguments = new Dictionary<string, string>
                {
                    ["base"] = baseFolder,
                    ["folder"] = folder,
                    ["profiles"] = string.Join('\n', profiles.Order(StringComparer.Ordinal)),
                },
            });
        }

        // The SSO tokens of every Identity Center provider involved, whole-provider or an identity's root: one step for
        // the one cache folder they share, so --all over many providers reports (and audits) the folder once.
        var ssoProviders = request.Providers
            .Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>())
            .Where(p => p.Kind == AwsKinds.IdentityCenter)
            .DistinctBy(p => p.Name)
            .ToList();
        // Each provider's files are found independently of the others (a hash or two per name; a small read only of the
        // files that are there), after one listing of each folder they share: with many providers, on every core (the
        // step lists the files in the providers' order all the same).
        var filesOf = new List<SsoTokenCache.TokenFile>[ssoProviders.Count];
        var sessionFilesOf = new List<string>[ssoProviders.Count];
        if (ssoProviders.Count > 0)
        {
            var listing = SsoTokenCache.CacheListing.Read(SsoTokenCache.Folder(environment));
            Parallel.For(0, ssoProviders.Count, Parallelism(ssoProviders.Count), i =>
            {
                filesOf[i] = SsoTokenCache.FilesOf(ssoProviders[i], environment, listing);
                sessionFilesOf[i] = AtmosSsoCache.FilesOf(ssoProviders[i], environment, path => MayExist(path, parents));
            });
        }

        var tokenFiles = new List<string>();
        var tokenOwners = new List<string>();
        var tokenUrls = new List<string>();
        var tokenStamps = new List<string>();
        for (var i = 0; i < ssoProviders.Count; i++)
        {
            var provider = ssoProviders[i];
            var files = filesOf[i] ?? [];
            if (files.Count > 0)
            {
                tokenOwners.Add(provider.Name);
            }

            foreach (var (file, stamp) in files)
            {
                tokenFiles.Add(file);
                tokenUrls.Add(provider.Settings.GetString("start_url")!);
                tokenStamps.Add(stamp);
            }
        }

        if (tokenFiles.Count > 0)
        {
            steps.Add(new FileStep
            {
                Action = ClearSsoCache,
                Principals = tokenOwners,
                Target = FolderRemovalStep.AsFolder(SsoTokenCache.Folder(environment)),
                Paths = tokenFiles,
                Note = "SSO token cache",
                Arguments = new Dictionary<string, string>
                {
                    [SsoTokenCache.StartUrlsArgument] = string.Join('\n', tokenUrls),
                    [SsoTokenCache.StampsArgument] = string.Join('\n', tokenStamps),
                },
            });
        }

        steps.AddRange(PlanAtmosCaches(request, ssoProviders, sessionFilesOf, parents));
        return steps;
    }

    // What atmos itself keeps for these principals under its cache home and in saml2aws's folder (REAL-ATMOS §4): the
    // Identity Center providers' SSO sessions (atmos's own cache, one step for the files they share), a whole provider's
    // provisioned identities, an IAM user's browser-login refresh token, the SAML providers' browser session.
    // sessionFilesOf holds each Identity Center provider's session files, as Plan found them.
    private static IEnumerable<FileStep> PlanAtmosCaches(PlanRequest request, List<ProviderTarget> ssoProviders, List<string>[] sessionFilesOf, ConcurrentDictionary<string, HashSet<string>?> parents)
    {
        var environment = request.Environment;
        var sessionFiles = new List<string>();
        var sessionOwners = new List<string>();
        var portals = new List<string>();
        for (var i = 0; i < ssoProviders.Count; i++)
        {
            var provider = ssoProviders[i];
            var files = sessionFilesOf[i];
            if (files.Count > 0)
            {
                sessionOwners.Add(provider.Name);
            }

            foreach (var file in files.Where(f => !sessionFiles.Contains(f)))
            {
                sessionFiles.Add(file);
                if (AtmosSsoCache.Portal(provider) is { } portal && AtmosSsoCache.IsSessionFile(file, environment))
                {
                    portals.Add($"{Path.GetFileName(file)} {portal.Format()}");
                }
            }
        }

        if (FileRemovalStep.Plan(ClearAtmosSsoCache, sessionOwners, AtmosSsoCache.Root(environment), sessionFiles, "atmos SSO session cache") is { } sessions)
        {
            yield return sessions with { Arguments = new Dictionary<string, string>(sessions.Arguments) { [PortalsArgument] = string.Join('\n', portals) } };
        }

        // Most machines have no provisioned identities at all: one look at the folder spares a thousand providers' names.
        var provisioning = MayExist(AtmosCaches.ProvisioningRoot(environment), parents) ? request.Providers : [];
        foreach (var provider in provisioning)
        {
            var files = AtmosCaches.ProvisionedFiles(provider, environment).Where(f => MayExist(Path.GetDirectoryName(f)!, parents));
            if (FileRemovalStep.Plan(RemoveProvisionedIdentities, [provider.Name], AtmosCaches.ProvisioningRoot(environment), files, "provisioned identities") is { } provisioned)
            {
                yield return provisioned;
            }
        }

        foreach (var identity in request.Identities.Where(i => i.Kind == AwsKinds.User))
        {
            if (FileRemovalStep.Plan(RemoveWebflowToken, [identity.Name], AtmosCaches.WebflowRoot(environment), AtmosCaches.WebflowFiles(identity, environment), "browser login refresh token") is { } webflow)
            {
                yield return webflow;
            }
        }

        if (PlanSamlBrowserState(request) is { } saml)
        {
            yield return saml;
        }
    }

    private static FileStep? PlanSamlBrowserState(PlanRequest request)
    {
        var environment = request.Environment;
        var samlProviders = Involved(request).Where(p => p.Kind == AwsKinds.Saml && SamlBrowserState.HostOf(p) is not null).ToList();
        var path = SamlBrowserState.FilePath(environment);
        if (samlProviders.Count == 0 || SafeFile.Probe(path).Kind == EntryKind.Missing)
        {
            return null;
        }

        var owners = new List<string>();
        try
        {
            var content = SafeFile.ReadAllBytes(path);
            owners.AddRange(samlProviders.Where(p => SamlBrowserState.Count(content, path, [SamlBrowserState.HostOf(p)!]) > 0).Select(p => p.Name));
        }
        catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
        {
            owners.AddRange(samlProviders.Select(p => p.Name)); // planned anyway: executing reports the problem, the file is untouched
        }

        return owners.Count == 0 ? null : new FileStep
        {
            Action = ClearSamlBrowserState,
            Principals = owners,
            Target = path,
            Paths = [path],
            Note = "saml2aws browser session",
            Arguments = new Dictionary<string, string>
            {
                [FileRemovalStep.BaseArgument] = SamlBrowserState.Folder(environment),
                [HostsArgument] = string.Join('\n', samlProviders.Where(p => owners.Contains(p.Name)).Select(p => SamlBrowserState.HostOf(p)!).Distinct(StringComparer.Ordinal)),
            },
        };
    }

    // How many providers' files to look for at once: with many (64 or more), on every core; with few, on the calling
    // thread (starting pool threads would cost more than it saves).
    private static ParallelOptions Parallelism(int count) => new() { MaxDegreeOfParallelism = count >= 64 ? Environment.ProcessorCount : 1 };

    // Whole providers and the root providers of the identities, once each, in that order.
    private static IEnumerable<ProviderTarget> Involved(PlanRequest request) =>
        request.Providers.Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>()).DistinctBy(p => p.Name);

    // Where an identity's profiles may be: each folder of its root provider (every layout), or for a standalone chain
    // the folders atmos names after it in every default base folder: "aws-user" (an aws/user identity on its own) and the
    // chain's root identity (the root of a longer chain, an aws/ambient or emulator identity), in lower case and as written.
    private static IEnumerable<(string Base, string Folder, string? Note)> FoldersOf(IdentityTarget identity, PluginEnvironment environment)
    {
        if (identity.Provider is { } provider)
        {
            foreach (var folder in provider.Folders)
            {
                yield return (folder.BaseFolder, folder.Folder, FolderRemovalStep.NoteFor(provider, folder));
            }

            yield break;
        }

        var root = identity.Chain.Count > 0 ? identity.Chain[0] : identity.Name;
        var names = new List<string> { AwsKinds.StandaloneFolder };
        foreach (var name in new[] { root.ToLowerInvariant(), root })
        {
            if (!names.Contains(name) && ContainedPath.IsSafeName(name, out _))
            {
                names.Add(name);
            }
        }

        foreach (var baseFolder in environment.DefaultBaseFolders)
        {
            foreach (var name in names)
            {
                yield return (baseFolder, Path.Join(baseFolder, name), FolderRemovalStep.DefaultBaseNote);
            }
        }
    }

    // An identity's profile names: as atmos writes them (lower case) and, when different, as written (older versions).
    private static IEnumerable<string> Profiles(IdentityTarget identity)
    {
        var lower = identity.Name.ToLowerInvariant();
        return lower == identity.Name ? [identity.Name] : [lower, identity.Name];
    }

    private static HashSet<string> ProfileNames(IEnumerable<IdentityTarget> identities) =>
        identities.SelectMany(Profiles).ToHashSet(StringComparer.Ordinal);

    // False only when the path's parent folder was listed and has no entry of that name, or there is no parent folder;
    // each parent is listed once (null when it cannot be listed: then nothing is ruled out here). Safe on several threads:
    // two may list the same folder at once, and either listing serves.
    private static bool MayExist(string path, ConcurrentDictionary<string, HashSet<string>?> parents)
    {
        var parent = Path.GetDirectoryName(path);
        if (parent is null)
        {
            return true;
        }

        var names = parents.GetOrAdd(parent, static folder => FolderNames.Read(folder, skipFolders: false));
        return names is null || names.Contains(Path.GetFileName(path));
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

            case RemoveProfiles:
                var profiles = step.Arguments["profiles"].Split('\n').ToHashSet(StringComparer.Ordinal);
                return ProfileFiles.Remove(step.Arguments["base"], step.Arguments["folder"], profiles, environment, cancellationToken);

            case ClearSsoCache:
                return SsoTokenCache.Clear(
                    step.Paths,
                    step.Arguments[SsoTokenCache.StartUrlsArgument].Split('\n'),
                    step.Arguments.TryGetValue(SsoTokenCache.StampsArgument, out var stamps) ? stamps.Split('\n') : [],
                    environment);

            case ClearAtmosSsoCache:
                // A session file is re-checked just before it goes: it must still name the portal it was planned for.
                var portals = step.Arguments.GetValueOrDefault(PortalsArgument, string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Split(' ', 2)).Where(p => p.Length == 2 && SsoPortal.Parse(p[1]) is not null)
                    .ToDictionary(p => p[0], p => SsoPortal.Parse(p[1])!, StringComparer.Ordinal);
                return FileRemovalStep.Execute(step, environment, path =>
                    AtmosSsoCache.IsSessionFile(path, environment) && portals.TryGetValue(Path.GetFileName(path), out var portal) && !AtmosSsoCache.IsSessionOf(path, portal));

            case RemoveProvisionedIdentities or RemoveWebflowToken:
                return FileRemovalStep.Execute(step, environment);

            case ClearSamlBrowserState:
                var hosts = step.Arguments[HostsArgument].Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var file = step.Paths[0];
                try
                {
                    return JsonText.Edit(step.Arguments[FileRemovalStep.BaseArgument], file, item => SamlBrowserState.Belongs(item, hosts), environment.LockTimeout, cancellationToken) == EditOutcome.Replaced
                        ? StepResult.Removed()
                        : StepResult.NotFound($"no cookie or origin of {string.Join(", ", hosts)} in {environment.Display(file)}");
                }
                catch (Exception ex)
                {
                    return StepResults.FromException(ex, file, environment);
                }

            default:
                return StepResult.Failed("unknown action", $"the aws plugin has no action '{step.Action}'");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = request.Environment;
        var artifacts = new List<StoredArtifact>();
        foreach (var identity in request.Identities)
        {
            var profile = Profiles(identity).ToHashSet(StringComparer.Ordinal);
            foreach (var folder in FoldersOf(identity, environment).Select(f => f.Folder).Distinct(StringComparer.Ordinal))
            {
                foreach (var (file, description) in new[] { (ProfileFiles.Credentials, "profile in credentials"), (ProfileFiles.Config, "profile in config") })
                {
                    var path = Path.Join(folder, file);
                    try
                    {
                        var entry = SafeFile.Probe(path);
                        if (entry.Kind == EntryKind.Missing)
                        {
                            continue;
                        }

                        if (entry.Kind == EntryKind.Inaccessible)
                        {
                            // Cannot check (the folder cannot be searched): never "nothing stored".
                            artifacts.Add(new StoredArtifact(identity.Name, path, CredentialClass.Session, "cannot check: permission denied"));
                            continue;
                        }

                        var document = IniDocument.Parse(SafeFile.ReadAllBytes(path), path);
                        var section = document.SectionNames.FirstOrDefault(h => file == ProfileFiles.Credentials ? ProfileFiles.IsCredentialsSection(h, profile) : ProfileFiles.IsConfigSection(h, profile));
                        if (section is not null)
                        {
                            var expires = document.GetValue(section, "aws_session_expiration") ?? document.GetValue(section, "x_security_token_expires");
                            var session = file == ProfileFiles.Config || document.GetValue(section, "aws_session_token") is not null;
                            artifacts.Add(new StoredArtifact(identity.Name, path, session ? CredentialClass.Session : CredentialClass.LongLived, description, ParseTime(expires)));
                        }
                    }
                    catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
                    {
                        artifacts.Add(new StoredArtifact(identity.Name, path, CredentialClass.Session, $"unreadable: {SafeFile.Explain(ex)}"));
                    }
                }
            }
        }

        foreach (var provider in Involved(request))
        {
            if (provider.Kind == AwsKinds.IdentityCenter)
            {
                foreach (var (file, _) in SsoTokenCache.FilesOf(provider, environment))
                {
                    artifacts.Add(new StoredArtifact(provider.Name, file, CredentialClass.Session, "SSO token", SsoTokenCache.ExpiresAt(file)));
                }

                foreach (var file in AtmosSsoCache.FilesOf(provider, environment, _ => true))
                {
                    artifacts.Add(new StoredArtifact(provider.Name, file, CredentialClass.Session, "atmos SSO session (access and refresh token)", AtmosSsoCache.ExpiresAt(file)));
                }
            }
        }

        foreach (var provider in request.Providers)
        {
            artifacts.AddRange(AtmosCaches.ProvisionedFiles(provider, environment).Where(f => SafeFile.Probe(f).Exists)
                .Select(f => new StoredArtifact(provider.Name, f, CredentialClass.Session, "provisioned identities")));
        }

        foreach (var identity in request.Identities.Where(i => i.Kind == AwsKinds.User))
        {
            artifacts.AddRange(AtmosCaches.WebflowFiles(identity, environment).Where(f => SafeFile.Probe(f).Exists)
                .Select(f => new StoredArtifact(identity.Name, f, CredentialClass.Session, "browser login refresh token")));
        }

        if (PlanSamlBrowserState(request) is { } saml)
        {
            artifacts.AddRange(saml.Principals.Select(p => new StoredArtifact(p, saml.Target, CredentialClass.Session, "saml2aws browser session (cookies of the identity provider)")));
        }

        return artifacts;
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    // The identities whose sections one credentials folder holds (see byFolder in PlanFiles).
    private sealed record FolderGroup(string Base, string? Note, List<IdentityTarget> Identities);
}
