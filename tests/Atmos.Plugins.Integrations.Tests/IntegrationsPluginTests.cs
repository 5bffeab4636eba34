using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Integrations.Tests;

/// <summary>
/// atmos's integrations as its login writes them (REAL-ATMOS §5): Docker logins, kubeconfig entries, github/sts tokens.
/// Each goes with the identity that owns the integration; everything else stays byte for byte, and the real readers
/// (kubectl) still read what is left.
/// </summary>
public sealed class IntegrationsPluginTests : IDisposable
{
    private const string DevArn = "arn:aws:eks:us-east-1:111111111111:cluster/dev";
    private const string ProdArn = "arn:aws:eks:us-east-1:111111111111:cluster/prod";
    private const string AksId = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
    private const string GkeId = "projects/proj/locations/europe-west1/clusters/gke";

    private readonly PluginTestHome _home = new("kube");
    private readonly IntegrationsPlugin _plugin = new();

    public void Dispose() => _home.Dispose();

    private string Kubeconfig => Path.Join(_home.Home, ".config", "atmos", "kube", "config");

    private string DockerConfig => Path.Join(_home.Home, ".docker", "config.json");

    private IntegrationTarget Integration(string name, string kind, string owner, string file, params (string Path, string Value)[] settings) =>
        new(name, kind, [owner], PluginTestHome.Settings([("via.identity", owner), .. settings])) { Files = [file] };

    private List<(FileStep Step, StepResult Result)> LogOut(params IntegrationTarget[] integrations) =>
        _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], []) with { Integrations = integrations });

    [Fact]
    public void Docker_logins_of_the_owners_registries_go_and_every_other_byte_stays()
    {
        PluginTestHome.Write(DockerConfig, """
            {
              "auths": {
                "111111111111.dkr.ecr.us-east-1.amazonaws.com": {
                  "auth": "ZmFrZS1lY3I="
                },
                "https://index.docker.io/v1/": {},
                "public.ecr.aws": {
                  "auth": "ZmFrZS1wdWJsaWM="
                },
                "corp.azurecr.io": {
                  "auth": "ZmFrZS1hY3I="
                }
              },
              "credsStore": "desktop",
              "currentContext": "default"
            }
            """);

        var outcome = LogOut(
            Integration("dev-ecr", IntegrationKinds.AwsEcr, "dev", DockerConfig, ("spec.registry.account_id", "111111111111"), ("spec.registry.region", "us-east-1")),
            Integration("public", IntegrationKinds.AwsEcrPublic, "dev", DockerConfig));

        var (step, result) = Assert.Single(outcome);
        Assert.Equal(("remove-docker-logins", DockerConfig, "Docker login to 111111111111.dkr.ecr.us-east-1.amazonaws.com, public.ecr.aws"), (step.Action, step.Target, step.Note));
        Assert.Equal(["dev"], step.Principals);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal("""
            {
              "auths": {
                "https://index.docker.io/v1/": {},
                "corp.azurecr.io": {
                  "auth": "ZmFrZS1hY3I="
                }
              },
              "credsStore": "desktop",
              "currentContext": "default"
            }
            """, File.ReadAllText(DockerConfig));
        Assert.Empty(LogOut(Integration("public", IntegrationKinds.AwsEcrPublic, "dev", DockerConfig)));
    }

    [RequiresProgramFact("kubectl", "kubectl")]
    public void An_eks_logout_removes_its_cluster_context_and_user_and_kubectl_reads_the_rest()
    {
        PluginTestHome.Write(Kubeconfig, $$"""
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
                server: https://dev.eks.amazonaws.com
              name: {{DevArn}}
            - cluster:
                certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
                server: https://prod.eks.amazonaws.com
              name: {{ProdArn}}
            contexts:
            - context:
                cluster: {{DevArn}}
                user: atmos-eks-dev-us-east-1
              name: {{DevArn}}
            - context:
                cluster: {{ProdArn}}
                user: atmos-eks-prod-us-east-1
              name: prod
            current-context: {{DevArn}}
            kind: Config
            preferences: {}
            users:
            - name: atmos-eks-dev-us-east-1
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  args:
                  - aws
                  - eks
                  - token
                  - --cluster-name
                  - dev
                  - --region
                  - us-east-1
                  - --identity=dev
                  command: atmos
                  env:
                  - name: ATMOS_IDENTITY
                    value: dev
                  interactiveMode: Never
                  provideClusterInfo: false
            - name: atmos-eks-prod-us-east-1
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  args:
                  - aws
                  - eks
                  - token
                  command: atmos
                  interactiveMode: Never
                  provideClusterInfo: false

            """);

        var outcome = LogOut(Integration("dev-eks", IntegrationKinds.AwsEks, "dev", Kubeconfig, ("spec.cluster.name", "dev"), ("spec.cluster.region", "us-east-1")));

        var (step, result) = Assert.Single(outcome);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal((DevArn, DevArn, "atmos-eks-dev-us-east-1"), (step.Arguments["clusters"], step.Arguments["contexts"], step.Arguments["users"]));
        var view = KubectlView(Kubeconfig);
        Assert.Equal([ProdArn], view["clusters"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal(["prod"], view["contexts"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal(["atmos-eks-prod-us-east-1"], view["users"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal(string.Empty, (string?)view["current-context"]);
        Assert.Contains("current-context: \"\"\n", File.ReadAllText(Kubeconfig), StringComparison.Ordinal);
    }

    [Fact]
    public void Aks_and_gke_entries_with_an_alias_go_and_a_context_of_the_same_name_with_another_user_stays()
    {
        var original = $"""
            apiVersion: v1
            kind: Config
            # clusters of the team
            clusters:
              - name: {AksId}
                cluster:
                  server: https://aks.example.com
              - name: {GkeId}
                cluster:
                  server: https://gke.example.com
              - name: kind-kind
                cluster:
                  server: https://127.0.0.1:6443
            contexts:
              - name: aks
                context:
                  cluster: {AksId}
                  user: atmos-aks-aks-rg-33333333-3333-3333-3333-333333333333
              # the user's own context for GKE, written by gcloud
              - name: gke
                context:
                  cluster: {GkeId}
                  user: gke_gcloud_auth_plugin
              - name: kind-kind
                context:
                  cluster: kind-kind
                  user: kind-kind
            users:
              - name: atmos-aks-aks-rg-33333333-3333-3333-3333-333333333333
                user:
                  exec:
                    command: atmos
              - name: atmos-gke-gke-proj-europe-west1
                user:
                  exec:
                    command: atmos
              - name: kind-kind
                user:
                  token: fake-kind-token
            current-context: kind-kind

            """;
        PluginTestHome.Write(Kubeconfig, original);

        var outcome = LogOut(
            Integration("aks", IntegrationKinds.AzureAks, "azure-dev", Kubeconfig, ("spec.cluster.name", "aks"), ("spec.cluster.resource_group", "rg"), ("spec.cluster.alias", "aks")),
            Integration("gke", IntegrationKinds.GcpGke, "gcp-dev", Kubeconfig, ("spec.cluster.name", "gke"), ("spec.cluster.project_id", "proj"), ("spec.cluster.location", "europe-west1"), ("spec.cluster.alias", "gke")));

        var (step, result) = Assert.Single(outcome);
        Assert.Equal(["azure-dev", "gcp-dev"], step.Principals);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal($"""
            apiVersion: v1
            kind: Config
            # clusters of the team
            clusters:
              - name: {GkeId}
                cluster:
                  server: https://gke.example.com
              - name: kind-kind
                cluster:
                  server: https://127.0.0.1:6443
            contexts:
              # the user's own context for GKE, written by gcloud
              - name: gke
                context:
                  cluster: {GkeId}
                  user: gke_gcloud_auth_plugin
              - name: kind-kind
                context:
                  cluster: kind-kind
                  user: kind-kind
            users:
              - name: kind-kind
                user:
                  token: fake-kind-token
            current-context: kind-kind

            """, File.ReadAllText(Kubeconfig));
    }

    [Fact]
    public void A_kubeconfig_left_without_entries_is_deleted_and_a_malformed_one_is_left_untouched()
    {
        PluginTestHome.Write(Kubeconfig, $"apiVersion: v1\nclusters:\n- cluster:\n    server: https://x\n  name: {GkeId}\ncontexts:\n- context:\n    cluster: {GkeId}\n    user: atmos-gke-gke-proj-europe-west1\n  name: {GkeId}\ncurrent-context: {GkeId}\nkind: Config\nusers:\n- name: atmos-gke-gke-proj-europe-west1\n  user: {{}}\n");
        var gke = Integration("gke", IntegrationKinds.GcpGke, "gcp-dev", Kubeconfig, ("spec.cluster.name", "gke"), ("spec.cluster.project_id", "proj"), ("spec.cluster.location", "europe-west1"));

        Assert.Equal(StepStatus.Removed, Assert.Single(LogOut(gke)).Result.Status);
        Assert.False(File.Exists(Kubeconfig));

        const string broken = "apiVersion: v1\nclusters: [ {name: projects/proj/locations/europe-west1/clusters/gke, cluster: {}} ]\n";
        PluginTestHome.Write(Kubeconfig, broken);
        var (step, result) = Assert.Single(LogOut(gke));
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("malformed file, left untouched", result.Reason);
        Assert.Contains("flow style", result.Detail, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllText(Kubeconfig));
        Assert.Equal(Kubeconfig, step.Target);
    }

    [Fact]
    public void Github_sts_tokens_go_in_the_realm_and_no_realm_folders_and_status_lists_them()
    {
        var data = Path.Join(_home.Home, ".local", "share", "atmos", "auth", "github-sts");
        var realmState = PluginTestHome.Write(Path.Join(data, "acme", "repos", "state.json"), "{\"tokens\":[{\"token\":\"fake-ghs\"}]}");
        var realmConfig = PluginTestHome.Write(Path.Join(data, "acme", "repos", "git.config"), "[url \"https://x-access-token:fake-ghs@github.com/org/\"]\n");
        var legacy = PluginTestHome.Write(Path.Join(data, "repos", "state.json"), "{}");
        var other = PluginTestHome.Write(Path.Join(data, "acme", "other", "state.json"), "{}");
        var sts = new IntegrationTarget("repos", IntegrationKinds.GitHubSts, ["pro"], PluginTestHome.Settings(("via.provider", "pro")));
        var environment = _home.Environment with { Realm = "acme" };
        var request = new PlanRequest(LogoutScope.Provider, [], [], environment) { Integrations = [sts] };
        var before = _home.TreeHash();

        var inspected = _plugin.Inspect(request);
        var steps = _plugin.Plan(request);
        Assert.Equal(before, _home.TreeHash());
        var step = Assert.Single(steps);
        Assert.Equal([realmState, realmConfig, legacy], step.Paths);
        Assert.Equal(["pro"], step.Principals);
        Assert.Equal(3, inspected.Count);
        PluginTestHome.AssertNoSecret(inspected, []);

        Assert.Equal(StepStatus.Removed, _plugin.Execute(step, environment, CancellationToken.None).Status);
        Assert.False(Directory.Exists(Path.Join(data, "acme", "repos")));
        Assert.False(Directory.Exists(Path.Join(data, "repos")));
        Assert.True(File.Exists(other));
    }

    // kubectl's own reading of the file, as JSON.
    private JsonNode KubectlView(string file)
    {
        var (exitCode, output, error) = PluginTestHome.Run("kubectl", new Dictionary<string, string> { ["HOME"] = _home.Home }, "config", "view", "--kubeconfig", file, "-o", "json");
        Assert.True(exitCode == 0, error);
        return JsonNode.Parse(output)!;
    }
}
