using System.Text.Json;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// `atmos auth status` and `--dry-run` on a HOME where real atmos logged in (issue 18): atmos's SSO session cache, the
/// provisioned identities, and the integrations' Docker login, kubeconfig entries and github/sts tokens are each shown
/// under the principal that owns them, and a dry run lists them; neither changes anything.
/// </summary>
public sealed class RealAtmosStatusTests : IDisposable
{
    private const string Config = """
        auth:
          providers:
            aws-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://mycompany.awsapps.com/start
          identities:
            dev-admin:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: AdminAccess, account: { name: dev-account } }
          integrations:
            dev-ecr:
              kind: aws/ecr
              via: { identity: dev-admin }
              spec: { registry: { account_id: "111111111111", region: us-east-1 } }
            dev-eks:
              kind: aws/eks
              via: { identity: dev-admin }
              spec: { cluster: { name: dev, region: us-east-1 } }
            repos:
              kind: github/sts
              via: { provider: aws-sso }
        """;

    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public RealAtmosStatusTests()
    {
        _cli = new CliRun(_home) { Clock = new FakeTimeProvider(ReferenceTime.Instant), Interaction = new NoPrompts() };
        _config = _home.Write("project/atmos.yaml", Config);
        _home.Write(".cache/atmos/aws-sso/sessions/c64a7f5872aca113620b6f0bbd9e783cebcca066.json", "{\"accessToken\":\"fake-session\",\"expiresAt\":\"2030-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"startUrl\":\"https://mycompany.awsapps.com/start\"}");
        _home.Write(".cache/atmos/auth/aws-sso/provisioned-identities.yaml", "auth:\n  identities: {}\n");
        _home.Write(".docker/config.json", "{\"auths\":{\"111111111111.dkr.ecr.us-east-1.amazonaws.com\":{\"auth\":\"ZmFrZQ==\"}}}");
        _home.Write(".config/atmos/kube/config", "apiVersion: v1\nclusters:\n- cluster:\n    server: https://dev\n  name: arn:aws:eks:us-east-1:111111111111:cluster/dev\ncontexts:\n- context:\n    cluster: arn:aws:eks:us-east-1:111111111111:cluster/dev\n    user: atmos-eks-dev-us-east-1\n  name: arn:aws:eks:us-east-1:111111111111:cluster/dev\nkind: Config\nusers:\n- name: atmos-eks-dev-us-east-1\n  user: {}\n");
        _home.Write(".local/share/atmos/auth/github-sts/repos/state.json", "{\"tokens\":[]}");
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Status_shows_atmos_caches_and_integrations_under_their_owners_and_changes_nothing()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "status", "--output", "json", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        using var report = JsonDocument.Parse(result.Stdout);
        var files = report.RootElement.GetProperty("principals").EnumerateArray()
            .SelectMany(p => p.GetProperty("files").EnumerateArray().Select(f => (Principal: p.GetProperty("name").GetString(), Display: f.GetProperty("display").GetString(), Description: f.GetProperty("description").GetString())))
            .ToList();
        Assert.Contains(("aws-sso", "~/.cache/atmos/aws-sso/sessions/c64a7f5872aca113620b6f0bbd9e783cebcca066.json", "atmos SSO session (access and refresh token)"), files);
        Assert.Contains(("aws-sso", "~/.cache/atmos/auth/aws-sso/provisioned-identities.yaml", "provisioned identities"), files);
        Assert.Contains(("dev-admin", "~/.docker/config.json", "Docker login to 111111111111.dkr.ecr.us-east-1.amazonaws.com"), files);
        Assert.Contains(("dev-admin", "~/.config/atmos/kube/config", "kubeconfig entries (arn:aws:eks:us-east-1:111111111111:cluster/dev, atmos-eks-dev-us-east-1)"), files);
        Assert.Contains(("aws-sso", "~/.local/share/atmos/auth/github-sts/repos/state.json", "GitHub installation tokens (github/sts)"), files);
        Assert.DoesNotContain("fake-", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_lists_them_and_a_logout_then_removes_exactly_them()
    {
        var before = TempHome.Fingerprint(_home.Home, ".local/state");

        var dry = await _cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--dry-run", "--config", _config);

        Assert.Equal(0, dry.ExitCode);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home, ".local/state"));
        foreach (var line in new[] { "• Files: ~/.cache/atmos/aws-sso/sessions/c64a7f5872aca113620b6f0bbd9e783cebcca066.json", "• Files: ~/.cache/atmos/auth/aws-sso/provisioned-identities.yaml", "• Files: ~/.docker/config.json", "• Files: ~/.config/atmos/kube/config", "• Files: ~/.local/share/atmos/auth/github-sts/repos/state.json" })
        {
            Assert.Contains(line, dry.Lines);
        }

        var real = await _cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--config", _config);

        Assert.Equal(0, real.ExitCode);
        Assert.False(_home.Exists(".cache/atmos/aws-sso/sessions/c64a7f5872aca113620b6f0bbd9e783cebcca066.json"));
        Assert.False(_home.Exists(".cache/atmos/auth/aws-sso/provisioned-identities.yaml"));
        Assert.False(_home.Exists(".config/atmos/kube/config")); // its only cluster, context and user were atmos's
        Assert.False(_home.Exists(".local/share/atmos/auth/github-sts/repos/state.json"));
        Assert.Equal("{\"auths\":{}}", _home.Read(".docker/config.json"));
    }
}
