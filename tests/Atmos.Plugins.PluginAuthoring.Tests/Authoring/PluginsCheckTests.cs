using System.Text.Json;
using Atmos.Plugins.PluginAuthoring.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Authoring;

/// <summary>
/// <c>atmos plugins check &lt;dll&gt;</c>: the conformance checks atmos's own plugins pass, shipped for authors. The
/// repository's plugins and the sample pass them in a seeded sandbox; a plugin that writes while planning, changes what
/// its step does not declare or prints a secret fails them, naming what it did; the real home is never touched.
/// </summary>
[Collection(PluginAuthoringCollection.Name)]
public sealed class PluginsCheckTests(PluginWorkbench plugins, PublishedAtmos atmos) : PluginAuthoringTest(plugins, atmos)
{
    [Fact]
    public void The_aws_plugin_passes_every_check_on_a_seeded_home_with_the_grant_of_its_manifest_entry()
    {
        var seed = Path.Join(Home.Files.Root, "seed");
        Write(seed, ".config/atmos/aws/aws-sso/credentials", "[dev-admin]\naws_access_key_id = A\n\n[other]\naws_access_key_id = B\n");
        Write(seed, ".config/atmos/aws/aws-sso/config", "[profile dev-admin]\nregion = us-east-1\n");
        Write(seed, $".aws/sso/cache/{Sha1("https://x.awsapps.com/start")}.json", """{ "startUrl": "https://x.awsapps.com/start", "accessToken": "t" }""");
        var config = Home.Config("""
            auth:
              providers:
                aws-sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start" }
              identities:
                dev-admin: { kind: aws/permission-set, via: { provider: aws-sso }, principal: { name: Admin, account: { name: dev } } }
            """);
        var before = TempHome.Fingerprint(seed);

        var result = Home.Atmos("plugins", "check", Home.AwsPlugin, "--home", seed, "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Execute changes only what its step declares: 2 steps ran", result.Lines);
        Assert.Equal("✓ 18 checks passed", result.Lines[^1]);
        Assert.Equal(before, TempHome.Fingerprint(seed));
    }

    [Fact]
    public void The_sample_plugin_passes_every_check_and_says_what_an_empty_home_cannot_show()
    {
        var seed = Path.Join(Home.Files.Root, "seed");
        Write(seed, ".config/atmos/acme/acme-sso/session.json", """{ "access_token": "t" }""");
        Write(seed, ".config/atmos/acme/acme-sso/roles.json", """{ "roles": { "acme-dev": { "key": "k" } } }""");
        var config = Home.Config("""
            auth:
              providers:
                acme-sso: { kind: acme/sso, tenant: example }
              identities:
                acme-dev: { kind: acme/role, via: { provider: acme-sso }, principal: { role: developer } }
            """);

        var seeded = Home.Atmos("plugins", "check", Plugins.Acme, "--home", seed, "--config", config, "--output", "json");
        var empty = Home.Atmos("plugins", "check", Plugins.Acme);

        Assert.Equal(0, seeded.ExitCode);
        var document = JsonDocument.Parse(seeded.Stdout).RootElement;
        Assert.True(document.GetProperty("passed").GetBoolean());
        Assert.All(document.GetProperty("checks").EnumerateArray(), c => Assert.Equal("passed", c.GetProperty("status").GetString()));
        Assert.Equal(0, empty.ExitCode);
        Assert.Contains("- Execute changes only what its step declares: no step was planned in an empty home; give --home with the files the plugin should remove", empty.Lines);
    }

    [Fact]
    public void A_plugin_that_writes_while_planning_changes_what_it_does_not_declare_or_prints_a_secret_fails_naming_it()
    {
        var seed = Path.Join(Home.Files.Root, "seed");
        Write(seed, ".config/atmos/faulty/undeclared/keep-me", "not the step's");
        var config = Home.Config("""
            auth:
              providers:
                planner: { kind: faulty/provider, behaviour: write-in-plan }
                undeclared: { kind: faulty/provider, behaviour: undeclared-delete }
                leaky: { kind: faulty/provider }
            """);

        var result = Home.Atmos("plugins", "check", Plugins.TestPlugin("Faulty"), "--home", seed, "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("✗ validation, classification, planning and inspection change nothing: they changed ~/.config/atmos/faulty/planner, ~/.config/atmos/faulty/planner/planned-here", result.Lines);
        Assert.Contains("✗ Execute changes only what its step declares: step 'undeclared-delete' changed ~/.config/atmos/faulty/undeclared/keep-me, which it does not declare in its Target or Paths", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("✗ no secret from a keyring entry comes back in a step, result, message, file or log line: it returned or logged: classifying with token atmos-check-secret-", StringComparison.Ordinal));
        Assert.Contains("✗ after its steps ran, nothing is left to plan: Plan still returns 3 steps (plan only what exists)", result.Lines);
        Assert.Equal("✗ 4 of 16 checks failed", result.Lines[^1]);
        Assert.True(File.Exists(Path.Join(seed, ".config/atmos/faulty/undeclared/keep-me")));
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Join(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static string Sha1(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
