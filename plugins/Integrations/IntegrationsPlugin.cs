using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Integrations;

/// <summary>
/// atmos's <c>auth.integrations</c>: what an identity's login sets up for other tools, removed with the identity that
/// owns the integration (<see cref="IntegrationTarget"/>). Docker logins of <c>aws/ecr</c>, <c>aws/ecr-public</c> and
/// <c>azure/acr</c> (one edit per Docker config); cluster, context and user of <c>aws/eks</c>, <c>azure/aks</c> and
/// <c>gcp/gke</c> (one edit per kubeconfig); the token files of <c>github/sts</c>. Every edit keeps the rest of the file
/// byte for byte, under the file's lock, atomically. It owns no provider or identity kind.
/// </summary>
public sealed class IntegrationsPlugin : IProviderPlugin
{
    private const string RemoveDockerLogins = "remove-docker-logins";
    private const string RemoveKubeconfigEntries = "remove-kubeconfig-entries";
    private const string RemoveGitHubTokens = "remove-github-sts-tokens";
    private const string RegistriesArgument = "registries";
    private const string ClustersArgument = "clusters";
    private const string ContextsArgument = "contexts";
    private const string UsersArgument = "users";

    /// <inheritdoc />
    /// <remarks>atmos's default kubeconfig is <c>&lt;atmos config home&gt;/kube/config</c>, this plugin's folder.</remarks>
    public string Cloud => "kube";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

    /// <inheritdoc />
    public CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

    /// <inheritdoc />
    public bool LeavesKeyringEntry(string kind) => false;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = new List<FileStep>();
        steps.AddRange(PlanDockerLogins(request));
        steps.AddRange(PlanKubeconfigs(request));
        foreach (var integration in request.Integrations.Where(i => i.Kind == IntegrationKinds.GitHubSts))
        {
            if (FileRemovalStep.Plan(RemoveGitHubTokens, integration.Owners, GitHubStsState.Root(request.Environment), GitHubStsState.FilesOf(integration, request.Environment), $"github/sts tokens of {integration.Name}") is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    // One step per Docker config: the logins of every registry integration being logged out that it holds.
    private static IEnumerable<FileStep> PlanDockerLogins(PlanRequest request)
    {
        var byFile = request.Integrations
            .Select(i => (Integration: i, Registry: DockerLogins.RegistryOf(i), File: DockerLogins.ConfigOf(i)))
            .Where(x => x.Registry is not null && x.File is not null)
            .GroupBy(x => x.File!, StringComparer.Ordinal);
        foreach (var group in byFile)
        {
            var file = group.Key;
            if (SafeFile.Probe(file).Kind == EntryKind.Missing)
            {
                continue;
            }

            var registries = group.Select(x => x.Registry!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            List<string> found;
            try
            {
                found = DockerLogins.LoggedIn(SafeFile.ReadAllBytes(file), file, registries);
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                found = registries; // planned anyway: executing reports the problem and leaves the file untouched
            }

            if (found.Count == 0)
            {
                continue;
            }

            yield return new FileStep
            {
                Action = RemoveDockerLogins,
                Principals = group.Where(x => found.Contains(x.Registry!, StringComparer.OrdinalIgnoreCase)).SelectMany(x => x.Integration.Owners).Distinct(StringComparer.Ordinal).ToList(),
                Target = file,
                Paths = [file],
                Note = $"Docker login to {string.Join(", ", found)}",
                Arguments = new Dictionary<string, string> { [RegistriesArgument] = string.Join('\n', found) },
            };
        }
    }

    // One step per kubeconfig: the clusters, contexts and users of every cluster integration being logged out.
    private static IEnumerable<FileStep> PlanKubeconfigs(PlanRequest request)
    {
        var byFile = request.Integrations
            .Select(i => (Integration: i, Rule: ClusterEntries.Of(i), File: i.Files.FirstOrDefault()))
            .Where(x => x.Rule is not null && x.File is not null)
            .GroupBy(x => x.File!, StringComparer.Ordinal);
        foreach (var group in byFile)
        {
            var file = group.Key;
            if (SafeFile.Probe(file).Kind == EntryKind.Missing)
            {
                continue;
            }

            var owners = group.SelectMany(x => x.Integration.Owners).Distinct(StringComparer.Ordinal).ToList();
            (HashSet<string> Clusters, HashSet<string> Contexts, HashSet<string> Users) entries;
            try
            {
                var document = KubeconfigDocument.Parse(SafeFile.ReadAllBytes(file), file);
                entries = ClusterEntries.Select(document, group.Select(x => x.Rule!).ToList());
                owners = group.Where(x => ClusterEntries.Select(document, [x.Rule!]) is var own && own.Clusters.Count + own.Contexts.Count + own.Users.Count > 0)
                    .SelectMany(x => x.Integration.Owners).Distinct(StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                entries = ([], [], []); // planned anyway: executing reports the problem and leaves the file untouched
            }

            if (owners.Count == 0)
            {
                continue;
            }

            yield return new FileStep
            {
                Action = RemoveKubeconfigEntries,
                Principals = owners,
                Target = file,
                Paths = [file],
                Note = $"kubeconfig of {string.Join(", ", group.Select(x => x.Integration.Name).Distinct(StringComparer.Ordinal))}",
                Arguments = new Dictionary<string, string>
                {
                    ["integrations"] = string.Join('\n', group.Select(x => x.Integration.Name).Distinct(StringComparer.Ordinal)),
                    [ClustersArgument] = string.Join('\n', entries.Clusters.Order(StringComparer.Ordinal)),
                    [ContextsArgument] = string.Join('\n', entries.Contexts.Order(StringComparer.Ordinal)),
                    [UsersArgument] = string.Join('\n', entries.Users.Order(StringComparer.Ordinal)),
                },
            };
        }
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(environment);
        switch (step.Action)
        {
            case RemoveGitHubTokens:
                return FileRemovalStep.Execute(step, environment);

            case RemoveDockerLogins:
                var registries = Lines(step.Arguments[RegistriesArgument]);
                return Edit(step, environment, $"no Docker login to {string.Join(", ", registries)}", file =>
                    JsonText.Edit(Path.GetDirectoryName(file)!, file, item => DockerLogins.IsLogin(item, registries), environment.LockTimeout, cancellationToken));

            case RemoveKubeconfigEntries:
                var clusters = Lines(step.Arguments[ClustersArgument]).ToHashSet(StringComparer.Ordinal);
                var contexts = Lines(step.Arguments[ContextsArgument]).ToHashSet(StringComparer.Ordinal);
                var users = Lines(step.Arguments[UsersArgument]).ToHashSet(StringComparer.Ordinal);
                return Edit(step, environment, $"no entry of {step.Arguments["integrations"].Replace('\n', ',')}", file =>
                    AtomicFile.Edit(Path.GetDirectoryName(file)!, file, bytes => KubeconfigDocument.Parse(bytes, file).Remove(clusters, contexts, users), environment.LockTimeout, cancellationToken));

            default:
                return StepResult.Failed("unknown action", $"the integrations plugin has no action '{step.Action}'");
        }
    }

    private static StepResult Edit(FileStep step, PluginEnvironment environment, string nothing, Func<string, EditOutcome> edit)
    {
        var file = step.Paths[0];
        try
        {
            return edit(file) is EditOutcome.Replaced or EditOutcome.Deleted
                ? StepResult.Removed()
                : StepResult.NotFound($"{nothing} in {environment.Display(file)}");
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, file, environment);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var artifacts = new List<StoredArtifact>();
        foreach (var step in Plan(request))
        {
            var description = step.Action switch
            {
                RemoveDockerLogins => step.Note!,
                RemoveKubeconfigEntries => $"kubeconfig entries ({string.Join(", ", Lines(step.Arguments[ContextsArgument]).Concat(Lines(step.Arguments[UsersArgument])))})",
                _ => "GitHub installation tokens (github/sts)",
            };
            foreach (var principal in step.Principals)
            {
                foreach (var path in step.Paths)
                {
                    artifacts.Add(new StoredArtifact(principal, path, CredentialClass.Session, description));
                }
            }
        }

        return artifacts;
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
