using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Acme.AtmosPlugin;

/// <summary>
/// Logs out of the Acme cloud. Files, per provider, in <c>&lt;base&gt;/&lt;provider&gt;/</c> (base: <c>spec.files.base_path</c>
/// or <c>~/.config/atmos/acme</c>):
/// <list type="bullet">
/// <item><c>session.json</c>: the provider's single sign-on session;</item>
/// <item><c>roles.json</c>: <c>{ "roles": { "&lt;identity&gt;": { ...temporary keys... } } }</c>, one entry per role identity.</item>
/// </list>
/// An identity logout removes the identity's entry from <c>roles.json</c>; a provider (or <c>--all</c>) logout removes
/// the provider's whole folder.
/// </summary>
public sealed class AcmePlugin : IProviderPlugin
{
    private const string RemoveProviderFolder = "remove-provider-folder";
    private const string RemoveRoleSessions = "remove-role-sessions";

    /// <inheritdoc />
    public string Cloud => "acme";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (string.IsNullOrWhiteSpace(provider.Settings.GetString("tenant")))
        {
            yield return $"provider '{provider.Name}' ({provider.Kind}) has no tenant; add tenant: <your Acme tenant>";
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Provider is null)
        {
            yield return $"identity '{identity.Name}' ({identity.Kind}) needs via.provider naming a provider of kind {AcmeKinds.Sso}";
        }

        if (string.IsNullOrWhiteSpace(identity.Settings.GetString("principal.role")))
        {
            yield return $"identity '{identity.Name}' needs principal.role (the Acme role to assume)";
        }
    }

    /// <inheritdoc />
    public CredentialClass Classify(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // An API key is what you log in with again: a keychain credential. Everything else is a session.
        return entry.Fields.ContainsKey("api_key") ? CredentialClass.LongLived : CredentialClass.Session;
    }

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = new List<FileStep>();
        var wholeFolders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in request.Providers)
        {
            var folder = new DirectoryInfo(provider.Folder);
            if (!folder.Exists && folder.LinkTarget is null)
            {
                continue;
            }

            wholeFolders.Add(provider.Name);
            var identities = request.Identities.Where(i => i.Provider?.Name == provider.Name).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            steps.Add(new FileStep
            {
                Action = RemoveProviderFolder,
                Principals = [provider.Name, .. RoleSessions.Find(provider.Folder, identities).Order(StringComparer.Ordinal)],
                Target = WithSeparator(provider.Folder),
                Paths = [WithSeparator(provider.Folder)],
                Note = provider.UsesDefaultBase ? "XDG-compliant" : null,
                Arguments = new Dictionary<string, string> { ["base"] = provider.BaseFolder, ["folder"] = provider.Folder },
            });
        }

        // Identities whose provider folder stays: only their entries in roles.json go, one step per file.
        var byProvider = request.Identities
            .Where(i => i.Provider is not null && !wholeFolders.Contains(i.Provider.Name))
            .GroupBy(i => i.Provider!.Name, StringComparer.Ordinal);
        foreach (var group in byProvider)
        {
            var provider = group.First().Provider!;
            var found = RoleSessions.Find(provider.Folder, group.Select(i => i.Name).ToHashSet(StringComparer.Ordinal));
            if (found.Count == 0)
            {
                continue;
            }

            var file = RoleSessions.PathIn(provider.Folder);
            steps.Add(new FileStep
            {
                Action = RemoveRoleSessions,
                Principals = found.Order(StringComparer.Ordinal).ToList(),
                Target = file,
                Paths = [file],
                Note = "role sessions",
                Arguments = new Dictionary<string, string>
                {
                    ["base"] = provider.BaseFolder,
                    ["file"] = file,
                    ["identities"] = string.Join('\n', found.Order(StringComparer.Ordinal)),
                },
            });
        }

        // The log channel: shown with ATMOS_LOGS_LEVEL=Debug, never on standard output (which --output json owns).
        request.Environment.Log.Debug($"planned {steps.Count} steps for {request.Providers.Count} providers and {request.Identities.Count} identities");
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
                return StepResults.Delete(step.Arguments["base"], step.Arguments["folder"], environment);

            case RemoveRoleSessions:
                var identities = step.Arguments["identities"].Split('\n').ToHashSet(StringComparer.Ordinal);
                return RoleSessions.Remove(step.Arguments["base"], step.Arguments["file"], identities, environment, cancellationToken);

            default:
                return StepResult.Failed("unknown action", $"the acme plugin has no action '{step.Action}'");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var artifacts = new List<StoredArtifact>();
        var providers = request.Providers.Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>()).DistinctBy(p => p.Name);
        foreach (var provider in providers)
        {
            var session = Path.Join(provider.Folder, "session.json");
            if (File.Exists(session))
            {
                artifacts.Add(new StoredArtifact(provider.Name, session, CredentialClass.Session, "Acme SSO session"));
            }
        }

        foreach (var identity in request.Identities.Where(i => i.Provider is not null))
        {
            if (RoleSessions.Find(identity.Provider!.Folder, new HashSet<string>(StringComparer.Ordinal) { identity.Name }).Count > 0)
            {
                artifacts.Add(new StoredArtifact(identity.Name, RoleSessions.PathIn(identity.Provider.Folder), CredentialClass.Session, "role session"));
            }
        }

        return artifacts;
    }

    private static string WithSeparator(string folder) => Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
}
