using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.TestPlugins;

/// <summary>A plugin that plans nothing; the other test plugins override what they need.</summary>
public class InertPlugin : IProviderPlugin
{
    public virtual string Cloud => "inert";

    public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

    public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

    public virtual CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

    public virtual IReadOnlyList<FileStep> Plan(PlanRequest request) => [];

    public virtual StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken) => StepResult.NotFound();

    public virtual IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) => [];
}
