using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>
/// A test of the plugin-authoring collection: the plugins built once for the run, the published atmos, and a fresh
/// throw-away home per test. Derived classes carry <c>[Collection(PluginAuthoringCollection.Name)]</c>.
/// </summary>
public abstract class PluginAuthoringTest : IDisposable
{
    protected PluginAuthoringTest(PluginWorkbench plugins, PublishedAtmos atmos)
    {
        Plugins = plugins;
        Published = atmos;
        Home = new PluginHome(atmos);
    }

    /// <summary>The plugins built outside the solution.</summary>
    protected PluginWorkbench Plugins { get; }

    /// <summary>The published atmos.</summary>
    protected PublishedAtmos Published { get; }

    /// <summary>This test's home, manifest and environment.</summary>
    protected PluginHome Home { get; }

    /// <summary>
    /// Writes <c>~/atmos.yaml</c>: an AWS SSO provider with one identity (whose files the AWS plugin removes), beside the
    /// providers given (YAML lines under <c>auth.providers</c>).
    /// </summary>
    protected string ConfigBesideAws(string providers) => Home.Config($$"""
        auth:
          providers:
            aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start" }
        {{providers}}
          identities:
            dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
        """);

    public void Dispose()
    {
        Home.Dispose();
        GC.SuppressFinalize(this);
    }
}
