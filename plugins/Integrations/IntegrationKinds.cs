using Atmos.Plugins.Contracts;
using Atmos.Plugins.Integrations;

[assembly: AtmosPlugin(typeof(IntegrationsPlugin))]
[assembly: IntegrationKind(IntegrationKinds.AwsEcr)]
[assembly: IntegrationKind(IntegrationKinds.AwsEcrPublic)]
[assembly: IntegrationKind(IntegrationKinds.AzureAcr)]
[assembly: IntegrationKind(IntegrationKinds.AwsEks)]
[assembly: IntegrationKind(IntegrationKinds.AzureAks)]
[assembly: IntegrationKind(IntegrationKinds.GcpGke)]
[assembly: IntegrationKind(IntegrationKinds.GitHubSts)]

namespace Atmos.Plugins.Integrations;

/// <summary>
/// The integration kinds atmos registers (<c>pkg/auth/integrations/types.go</c>): what an identity's login also sets up
/// for other tools, and what its logout must take away again.
/// </summary>
public static class IntegrationKinds
{
    /// <summary>Docker login to an Amazon ECR registry (<c>spec.registry.account_id</c>, <c>region</c>).</summary>
    public const string AwsEcr = "aws/ecr";

    /// <summary>Docker login to Amazon ECR Public (<c>public.ecr.aws</c>).</summary>
    public const string AwsEcrPublic = "aws/ecr-public";

    /// <summary>Docker login to an Azure Container Registry (<c>spec.registry.name</c>).</summary>
    public const string AzureAcr = "azure/acr";

    /// <summary>kubeconfig cluster, context and user of an EKS cluster (<c>spec.cluster.name</c>, <c>region</c>).</summary>
    public const string AwsEks = "aws/eks";

    /// <summary>kubeconfig cluster, context and user of an AKS cluster (<c>spec.cluster.name</c>, <c>resource_group</c>).</summary>
    public const string AzureAks = "azure/aks";

    /// <summary>kubeconfig cluster, context and user of a GKE cluster (<c>spec.cluster.name</c>, <c>project_id</c>, <c>location</c>).</summary>
    public const string GcpGke = "gcp/gke";

    /// <summary>GitHub installation tokens minted through Atmos Pro, kept under atmos's data home.</summary>
    public const string GitHubSts = "github/sts";
}
