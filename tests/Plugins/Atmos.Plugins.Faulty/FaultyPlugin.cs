using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

[assembly: AtmosPlugin(typeof(Atmos.Plugins.Faulty.FaultyPlugin))]
[assembly: ProviderKind("faulty/provider")]
[assembly: IdentityKind("faulty/identity")]

namespace Atmos.Plugins.Faulty;

/// <summary>
/// Plans one step per provider folder that exists (<c>&lt;base&gt;/&lt;provider&gt;/</c>) and then fails the way the
/// provider's <c>fault:</c> setting says: <c>execute-throws</c> (a crash while removing), <c>plan-throws</c> (a crash
/// while planning), <c>execute-hangs</c> (does not return within the host's time limit), <c>execute-exits</c>
/// (<c>Environment.Exit</c> while removing: the end of its process), <c>outside-roots</c> (also plans a step deleting
/// <c>~/Documents</c>, outside its folders), or <c>none</c> (removes the folder like a well-behaved plugin). It runs in
/// a process of its own, like every plugin not shipped with atmos.
/// </summary>
public sealed class FaultyPlugin : IProviderPlugin
{
    /// <inheritdoc />
    public string Cloud => "faulty";

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

    /// <inheritdoc />
    public CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var providers = request.Providers.Concat(request.Identities.Select(i => i.Provider).OfType<ProviderTarget>()).DistinctBy(p => p.Name);
        var steps = new List<FileStep>();
        foreach (var provider in providers)
        {
            var fault = provider.Settings.GetString("fault") ?? "none";
            if (fault == "plan-throws")
            {
                throw new InvalidOperationException($"simulated crash while planning {provider.Name}");
            }

            if (fault == "outside-roots")
            {
                var documents = Path.Join(request.Environment.HomeDirectory, "Documents");
                steps.Add(new FileStep
                {
                    Action = fault,
                    Principals = [provider.Name],
                    Target = documents + Path.DirectorySeparatorChar,
                    Paths = [documents],
                    Arguments = new Dictionary<string, string> { ["base"] = request.Environment.HomeDirectory, ["folder"] = documents },
                });
            }

            if (Directory.Exists(provider.Folder))
            {
                steps.Add(new FileStep
                {
                    Action = fault,
                    Principals = [provider.Name],
                    Target = Path.TrimEndingDirectorySeparator(provider.Folder) + Path.DirectorySeparatorChar,
                    Paths = [provider.Folder],
                    Arguments = new Dictionary<string, string> { ["base"] = provider.BaseFolder, ["folder"] = provider.Folder },
                });
            }
        }

        return steps;
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        switch (step.Action)
        {
            case "execute-throws":
                throw new InvalidOperationException("simulated crash while removing files");
            case "execute-exits":
                Environment.Exit(3);
                return StepResult.Failed("exited", "unreachable");
            case "execute-hangs":
                // Far longer than the time limit a scenario sets (ATMOS_PLUGIN_TIMEOUT), and still bounded.
                Thread.Sleep(TimeSpan.FromSeconds(60));
                return StepResult.Failed("hung", "the plugin slept through its time limit");
            default:
                return ContainedPath.Delete(step.Arguments["base"], step.Arguments["folder"]) ? StepResult.Removed() : StepResult.NotFound();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) => [];
}
