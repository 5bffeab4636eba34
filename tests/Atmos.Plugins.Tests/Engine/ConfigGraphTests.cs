using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Engine;

public sealed class ConfigGraphTests
{
    private static readonly ConfigGraph Graph = new(AuthConfigLoader.Parse(AwsTree.Config, "atmos.yaml"));

    [Fact]
    public void Chains_run_from_the_root_provider_to_the_identity()
    {
        Assert.Equal(["aws-sso", "dev-org-admin", "dev-admin"], Graph.Chain(Graph.Config.FindIdentity("dev-admin")!));
        Assert.Equal(["ci-user", "ci-deployer"], Graph.Chain(Graph.Config.FindIdentity("ci-deployer")!));
        Assert.Equal("aws-sso", Graph.RootProvider(Graph.Config.FindIdentity("staging-admin")!)!.Name);
        Assert.Null(Graph.RootProvider(Graph.Config.FindIdentity("ci-deployer")!));
    }

    [Fact]
    public void Descendants_are_depth_first_with_siblings_sorted()
    {
        Assert.Equal(["dev-org-admin", "dev-admin", "dev-readonly", "prod-admin", "staging-admin"], Graph.Descendants("aws-sso").Select(i => i.Name));
        Assert.Equal(["ci-user"], Graph.StandaloneIdentities().Select(i => i.Name));
    }
}
