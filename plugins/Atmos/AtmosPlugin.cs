using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Atmos;

/// <summary>
/// The kinds of atmos itself (<see cref="AtmosKinds"/>). Only the Kubernetes emulator identity leaves a file: the admin
/// kubeconfig atmos harvests from the emulator, <c>&lt;atmos config home&gt;/[&lt;realm&gt;/]emulator/&lt;identity&gt;.kubeconfig</c>
/// (this plugin's <see cref="Cloud"/> folder). Atmos Pro and mock credentials live in the keyring only; ambient and OIDC
/// kinds hold nothing.
/// </summary>
public sealed class AtmosPlugin : IProviderPlugin
{
    private const string RemoveKubeconfig = "remove-kubeconfig";
    private const string KubeconfigSuffix = ".kubeconfig";

    /// <inheritdoc />
    public string Cloud => "emulator";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return [];
    }

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Kind == AtmosKinds.KubernetesEmulator && !ContainedPath.IsSafeName(identity.Name, out var problem))
        {
            yield return $"identity '{identity.Name}' (kubernetes/emulator): its name {problem}, but it names the kubeconfig file atmos writes; rename it";
        }
    }

    /// <inheritdoc />
    /// <remarks>Everything these kinds keep is session data: OIDC and Atmos Pro tokens (JWTs that expire), mock credentials.</remarks>
    public CredentialClass Classify(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return CredentialClass.Session;
    }

    /// <inheritdoc />
    /// <remarks>Atmos Pro and mock credentials are kept in the keyring; ambient, OIDC, emulator and mock/aws ones are not.</remarks>
    public bool LeavesKeyringEntry(string kind) => kind is AtmosKinds.ProProvider or AtmosKinds.Mock;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = new List<FileStep>();
        foreach (var identity in request.Identities.Where(i => i.Kind == AtmosKinds.KubernetesEmulator))
        {
            foreach (var (baseFolder, file) in Kubeconfigs(identity, request.Environment))
            {
                // One lstat: a link counts (it is unlinked, never followed).
                if (new FileInfo(file).Attributes == (FileAttributes)(-1))
                {
                    continue;
                }

                steps.Add(new FileStep
                {
                    Action = RemoveKubeconfig,
                    Principals = [identity.Name],
                    Target = file,
                    Paths = [file],
                    Note = "emulator kubeconfig",
                    Arguments = new Dictionary<string, string> { [FolderRemovalStep.BaseArgument] = baseFolder, ["file"] = file },
                });
            }
        }

        return steps;
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Action == RemoveKubeconfig
            ? StepResults.Delete(step.Arguments[FolderRemovalStep.BaseArgument], step.Arguments["file"], environment)
            : StepResult.Failed("unknown action", $"the atmos plugin has no action '{step.Action}'");
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Identities
            .Where(i => i.Kind == AtmosKinds.KubernetesEmulator)
            .SelectMany(i => Kubeconfigs(i, request.Environment).Where(k => File.Exists(k.File)).Select(k => new StoredArtifact(i.Name, k.File, CredentialClass.Session, "emulator kubeconfig (cluster admin)")))
            .ToList();
    }

    // The identity's kubeconfig in every default base folder (the realm's and the legacy one), lower case then as written.
    private static IEnumerable<(string Base, string File)> Kubeconfigs(IdentityTarget identity, PluginEnvironment environment)
    {
        var lower = identity.Name.ToLowerInvariant();
        var names = (lower == identity.Name ? [lower] : new[] { lower, identity.Name }).Where(n => ContainedPath.IsSafeName(n, out _));
        foreach (var baseFolder in environment.DefaultBaseFolders)
        {
            foreach (var name in names)
            {
                yield return (baseFolder, Path.Join(baseFolder, name + KubeconfigSuffix));
            }
        }
    }
}
