using System.Text.RegularExpressions;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Integrations;

/// <summary>
/// Which kubeconfig entries a cluster integration's login wrote (<c>pkg/auth/cloud/kube/config.go</c>
/// <c>BuildClusterConfig</c>): the cluster under its id (EKS: the cluster ARN; AKS: the ARM resource id; GKE:
/// <c>projects/&lt;p&gt;/locations/&lt;l&gt;/clusters/&lt;n&gt;</c>), a context named <c>spec.cluster.alias</c> or else that id,
/// and the exec-plugin user <c>atmos-&lt;eks|aks|gke&gt;-&lt;name&gt;-&lt;region, resource group or project-location&gt;[-&lt;subscription&gt;]</c>.
/// </summary>
/// <remarks>
/// atmos's own cleanup finds the cluster by a name suffix and deletes the context by name, whoever's it is. Here a
/// context goes only when its user is atmos's exec-plugin user (a context of the same name that the user's own
/// <c>aws eks update-kubeconfig</c> wrote stays), the user goes once no remaining context names it, and a cluster entry of
/// the integration goes once no remaining context uses it.
/// </remarks>
internal sealed record ClusterEntries(string Integration, Func<string, bool> IsUser, Func<string, bool> IsCluster, string? Alias)
{
    /// <summary>The rule for a cluster integration, or null when it lacks the settings atmos requires (then atmos wrote nothing).</summary>
    public static ClusterEntries? Of(IntegrationTarget integration)
    {
        var cluster = integration.Settings.GetSection("spec.cluster");
        var name = cluster?.GetString("name");
        if (cluster is null || string.IsNullOrEmpty(name))
        {
            return null;
        }

        var alias = cluster.GetString("alias") is { Length: > 0 } a ? a : null;
        switch (integration.Kind)
        {
            case IntegrationKinds.AwsEks when cluster.GetString("region") is { Length: > 0 } region:
                var arn = new Regex($"^arn:[^:]+:eks:{Regex.Escape(region)}:[0-9]*:cluster/{Regex.Escape(name)}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                var eksUser = $"atmos-eks-{name}-{region}";
                return new ClusterEntries(integration.Name, u => u == eksUser, arn.IsMatch, alias);

            case IntegrationKinds.AzureAks when cluster.GetString("resource_group") is { Length: > 0 } group:
                var subscription = cluster.GetString("subscription_id") is { Length: > 0 } s ? s : null;
                var suffix = $"/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}";
                var aksUser = $"atmos-aks-{name}-{group}";
                return new ClusterEntries(
                    integration.Name,
                    u => subscription is null
                        ? u == aksUser || (u.StartsWith(aksUser + "-", StringComparison.Ordinal) && Guid.TryParse(u[(aksUser.Length + 1)..], out _))
                        : u == aksUser || string.Equals(u, $"{aksUser}-{subscription}", StringComparison.OrdinalIgnoreCase),
                    id => subscription is null
                        ? id.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && id.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
                        : string.Equals(id, $"/subscriptions/{subscription}{suffix}", StringComparison.OrdinalIgnoreCase),
                    alias);

            case IntegrationKinds.GcpGke when cluster.GetString("project_id") is { Length: > 0 } project && cluster.GetString("location") is { Length: > 0 } location:
                var gkeId = $"projects/{project}/locations/{location}/clusters/{name}";
                var gkeUser = $"atmos-gke-{name}-{project}-{location}";
                return new ClusterEntries(integration.Name, u => u == gkeUser, id => id == gkeId, alias);

            default:
                return null;
        }
    }

    /// <summary>
    /// The entries of <paramref name="document"/> to remove for all of <paramref name="rules"/>, given every context's
    /// cluster and user: the integrations' contexts whose user is atmos's, then the users and clusters no remaining context
    /// uses. Empty sets when nothing of theirs is there.
    /// </summary>
    public static (HashSet<string> Clusters, HashSet<string> Contexts, HashSet<string> Users) Select(KubeconfigDocument document, IReadOnlyCollection<ClusterEntries> rules)
    {
        var contexts = document.Contexts
            .Where(c => c.User is not null && rules.Any(r => r.IsUser(c.User) && (r.Alias is null ? c.Cluster == c.Name && r.IsCluster(c.Name) : c.Name == r.Alias)))
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
        var remaining = document.Contexts.Where(c => !contexts.Contains(c.Name)).ToList();
        var users = document.Users.Select(u => u.Name)
            .Where(u => rules.Any(r => r.IsUser(u)) && !remaining.Any(c => c.User == u))
            .ToHashSet(StringComparer.Ordinal);
        var clusters = document.Clusters.Select(c => c.Name)
            .Where(c => rules.Any(r => r.IsCluster(c)) && !remaining.Any(r => r.Cluster == c))
            .ToHashSet(StringComparer.Ordinal);
        return (clusters, contexts, users);
    }
}
