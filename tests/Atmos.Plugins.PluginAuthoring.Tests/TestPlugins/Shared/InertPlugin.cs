using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.TestPlugins;

/// <summary>A plugin that plans nothing. Used where only loading (or refusing to load) matters.</summary>
public sealed class InertPlugin : IProviderPlugin
{
    public string Cloud => "inert";

    public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

    public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

    public CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

    public IReadOnlyList<FileStep> Plan(PlanRequest request) => [];

    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken) => StepResult.NotFound();

    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) => [];
}
