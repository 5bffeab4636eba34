using System.Text.Json;
using System.Text.RegularExpressions;
using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Tests.Output;

/// <summary>`--output json`: one document on stdout that parses, follows the README schema and agrees with the disk and keyring after the run.</summary>
public sealed partial class JsonOutputTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public JsonOutputTests()
    {
        _cli = new CliRun(_home) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };
        _config = AwsTree.Seed(_home);
        AwsTree.SeedKeyring(_cli.Keyring).GetAwaiter().GetResult();
    }

    public void Dispose() => _home.Dispose();

    private static readonly string[] TopLevelKeys =
    [
        "schema_version", "command", "run", "scope", "target", "realm", "dry_run", "keychain", "chain", "config_files", "steps", "preserved",
        "plugin_failures", "counts", "outcome", "summary", "exit_code", "error", "events",
    ];

    private static readonly string[] StepKeys =
    [
        "index", "type", "target", "display", "keys", "removed_keys", "principals", "class", "role", "kind", "via", "presence", "plugin", "action",
        "paths", "note", "outcome", "reason", "detail", "fix",
    ];

    private async Task<(CliResult Result, JsonElement Report)> Json(params string[] args)
    {
        var result = await _cli.RunAsync([.. args, "--output", "json", "--config", _config]);
        using var document = JsonDocument.Parse(result.Stdout);
        var report = document.RootElement.Clone();
        Assert.Equal(TopLevelKeys, report.EnumerateObject().Select(p => p.Name));
        Assert.All(report.GetProperty("steps").EnumerateArray().Concat(report.GetProperty("preserved").EnumerateArray()), step =>
            Assert.Equal(StepKeys, step.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(1, report.GetProperty("schema_version").GetInt32());
        Assert.Equal(result.ExitCode, report.GetProperty("exit_code").GetInt32());
        Assert.DoesNotContain('{', result.Stderr);
        Assert.All(AwsTree.Secrets, secret => Assert.DoesNotContain(secret, result.Stdout, StringComparison.Ordinal));
        return (result, report);
    }

    private static IEnumerable<JsonElement> Steps(JsonElement report, string outcome) =>
        report.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("outcome").GetString() == outcome);

    private static IReadOnlyList<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    // Every removed step is gone from the disk or keyring, every preserved entry is still there, and the counts add up.
    private async Task AssertAgreesWithWhatIsLeft(JsonElement report)
    {
        var left = await _cli.Keyring.ListAsync(CancellationToken.None);
        foreach (var step in Steps(report, "removed"))
        {
            var target = step.GetProperty("target").GetString()!;
            switch (step.GetProperty("type").GetString(), step.GetProperty("action").GetString())
            {
                case ("keyring", _):
                    Assert.DoesNotContain(target, left);
                    Assert.NotEmpty(Strings(step.GetProperty("removed_keys")));
                    Assert.All(Strings(step.GetProperty("removed_keys")), key => Assert.DoesNotContain(key, left));
                    break;
                case ("files", "remove-provider-folder"):
                    Assert.False(Directory.Exists(target), target);
                    break;
                case ("files", "clear-sso-cache"):
                    Assert.All(Strings(step.GetProperty("paths")), path => Assert.False(File.Exists(path), path));
                    break;
                case ("files", "remove-profiles"):
                    foreach (var path in Strings(step.GetProperty("paths")).Where(File.Exists))
                    {
                        var text = File.ReadAllText(path);
                        Assert.All(Strings(step.GetProperty("principals")), p =>
                        {
                            Assert.DoesNotContain($"[{p}]", text, StringComparison.Ordinal);
                            Assert.DoesNotContain($"[profile {p}]", text, StringComparison.Ordinal);
                        });
                    }

                    break;
                default:
                    Assert.Fail($"unexpected removed step {step}");
                    break;
            }
        }

        Assert.All(report.GetProperty("preserved").EnumerateArray(), kept => Assert.Contains(kept.GetProperty("target").GetString()!, left));
        var counts = report.GetProperty("counts");
        Assert.Equal(report.GetProperty("steps").GetArrayLength(), counts.GetProperty("steps").GetInt32());
        Assert.Equal(Steps(report, "removed").Count(), counts.GetProperty("removed").GetInt32());
        Assert.Equal(Steps(report, "not_found").Count(), counts.GetProperty("not_found").GetInt32());
        Assert.Equal(Steps(report, "failed").Count(), counts.GetProperty("failed").GetInt32());
        Assert.Equal(report.GetProperty("preserved").GetArrayLength(), counts.GetProperty("preserved").GetInt32());
    }

    [Fact]
    public async Task An_all_logout_report_agrees_with_the_files_and_keyring_left()
    {
        var (result, report) = await Json("auth", "logout", "--all");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("all", report.GetProperty("scope").GetString());
        Assert.Equal("success", report.GetProperty("outcome").GetString());
        Assert.Equal("Successfully logged out from 13 identities", report.GetProperty("summary").GetString());
        Assert.Equal(10, report.GetProperty("counts").GetProperty("removed").GetInt32()); // steps: both SSO tokens go in one
        Assert.Equal(["ci-user"], report.GetProperty("preserved").EnumerateArray().Select(p => p.GetProperty("target").GetString()!));
        Assert.Equal(["ci-user"], await _cli.Keyring.ListAsync(CancellationToken.None));
        await AssertAgreesWithWhatIsLeft(report);
        Assert.Equal("Successfully logged out from 13 identities", result.Lines.First(l => l.StartsWith("Successfully", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_identity_logout_report_lists_the_chain_and_agrees_with_what_is_left()
    {
        var (result, report) = await Json("auth", "logout", "dev-admin");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["aws-sso", "dev-org-admin", "dev-admin"], Strings(report.GetProperty("chain")));
        Assert.Equal("dev-admin", report.GetProperty("target").GetString());
        Assert.Equal(
            ["keyring aws-sso removed", "keyring dev-org-admin removed", "keyring dev-admin removed", "files ~/.config/atmos/aws/aws-sso/ removed", "files ~/.aws/sso/cache/ removed"],
            report.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("type").GetString()} {s.GetProperty("display").GetString()} {s.GetProperty("outcome").GetString()}"));
        await AssertAgreesWithWhatIsLeft(report);
    }

    [Fact]
    public async Task A_second_logout_reports_not_found_steps_and_already_logged_out()
    {
        await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config);

        var (result, report) = await Json("auth", "logout", "dev-admin");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("already_logged_out", report.GetProperty("outcome").GetString());
        Assert.Equal("Identity 'dev-admin' is already logged out.", report.GetProperty("summary").GetString());
        // Only the provider's SSO token is a missing entry worth a step: permission-set and assumed-role sessions never
        // leave one (REAL-ATMOS §2). It was looked for under every key form atmos used.
        var step = Assert.Single(report.GetProperty("steps").EnumerateArray());
        Assert.Equal(("aws-sso", "not_found", "absent"), (step.GetProperty("target").GetString(), step.GetProperty("outcome").GetString(), step.GetProperty("presence").GetString()));
        Assert.Equal(["atmos_aws-sso", "aws-sso"], Strings(step.GetProperty("keys")));
        Assert.Empty(Strings(step.GetProperty("removed_keys")));
    }

    [Fact]
    public async Task A_dry_run_report_plans_every_step_and_changes_nothing()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var (result, report) = await Json("auth", "logout", "--provider", "aws-sso", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("dry_run", report.GetProperty("outcome").GetString());
        Assert.True(report.GetProperty("dry_run").GetBoolean());
        Assert.All(report.GetProperty("steps").EnumerateArray(), s => Assert.Equal("planned", s.GetProperty("outcome").GetString()));
        Assert.Equal(6, report.GetProperty("counts").GetProperty("steps").GetInt32());
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task A_rejected_command_reports_the_error_with_exit_code_2()
    {
        var (result, report) = await Json("auth", "logout", "nobody");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("rejected", report.GetProperty("outcome").GetString());
        var error = report.GetProperty("error");
        Assert.Equal("identity \"nobody\" not found in configuration", error.GetProperty("message").GetString());
        Assert.Equal(10, error.GetProperty("choices").GetArrayLength());
        Assert.Equal("Run 'atmos auth logout' without arguments for interactive selection.", error.GetProperty("hint").GetString());
        Assert.Empty(report.GetProperty("steps").EnumerateArray());
    }

    [Fact]
    public async Task The_report_of_the_reference_identity_example()
    {
        using var home = new TempHome();
        var cli = new CliRun(home) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };
        var config = ReferenceTree.WriteConfig(home, ReferenceTree.ChainConfig);
        await ReferenceTree.SeedKeyring(cli.Keyring, "aws-sso", "dev-org-admin", "dev-admin");
        ReferenceTree.WriteProfiles(home, ReferenceTree.SsoFolder, "dev-admin");

        var result = await cli.RunAsync("auth", "logout", "dev-admin", "--output", "json", "--config", config);

        Assert.Equal(0, result.ExitCode);
        var report = RunId().Replace(Scrubber.Scrub(result.Stdout, home), "\"run\": \"<run>\"");
        Snapshot.Match(report);
    }

    [GeneratedRegex("\"run\": \"[0-9a-f]{32}\"")]
    private static partial Regex RunId();
}
