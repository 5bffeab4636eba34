using System.Globalization;
using Atmos.Plugins.Tests.Support;
using Atmos.Plugins.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>
/// The swap race (issue 17): while logouts run, a helper process exchanges a provider folder — or a folder inside one —
/// with a symbolic link to a folder outside (a copy of <c>~/.aws</c> or of a gcloud folder), with
/// <c>renameat2(RENAME_EXCHANGE)</c> in a tight loop. Every check made by path then disagrees with the operation it
/// guards; only descriptor-relative operations stay inside. Whatever each run reports, the folder outside must be byte
/// for byte, mode for mode as it was, and a run that reports its files removed must have removed them.
/// </summary>
/// <remarks>
/// <see cref="Trials"/>: 25 logouts per scope in CI; <c>ATMOS_RELIABILITY_SCALE=8</c> runs 200 per scope.
/// </remarks>
public sealed class SwapRaceTests : IDisposable
{
    private const string Yaml = """
        auth:
          providers:
            aws-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://swap.awsapps.com/start
            gcp-prov:
              kind: gcp/adc
          identities:
            dev-admin:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: Admin, account: { name: dev } }
            other:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: Other, account: { name: dev } }
            dev-sa:
              kind: gcp/service-account
              via: { provider: gcp-prov }
              principal: { service_account_email: sa-dev@proj-dev.iam.gserviceaccount.com }
        """;

    private const string Credentials = "[dev-admin]\naws_access_key_id = ASIAOUTSIDE1\naws_session_token = outside-token\n\n[other]\naws_access_key_id = ASIAOUTSIDE2\n\n";
    private const string Config = "[profile dev-admin]\nregion = us-east-1\n\n[profile other]\nregion = eu-west-1\n\n";

    private readonly ITestOutputHelper _output;
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public SwapRaceTests(ITestOutputHelper output)
    {
        _output = output;
        _cli = new CliRun(_home);
        _config = _home.Write("project/atmos.yaml", Yaml);
    }

    public void Dispose() => _home.Dispose();

    private string AwsBase => _home.PathOf(".config/atmos/aws");

    private string GcpProvider => _home.PathOf(".config/atmos/gcp/gcp-prov");

    [Fact]
    public async Task Identity_logouts_while_the_provider_folder_is_swapped_with_a_link_never_touch_the_folder_outside()
    {
        var outside = OutsideAwsFolder();
        await Race(
            "identity",
            [(Path.Join(AwsBase, "aws-sso"), Path.Join(AwsBase, "aws-sso.swap"), outside)],
            SeedAws,
            ["auth", "logout", "dev-admin"],
            outside,
            result =>
            {
                // A run that says it removed the files did remove them (the real folder is back in place after the swaps).
                if (result.Lines.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)"))
                {
                    Assert.DoesNotContain("[dev-admin]", File.ReadAllText(Path.Join(AwsBase, "aws-sso", "credentials")), StringComparison.Ordinal);
                }
            });
    }

    [Fact]
    public async Task Provider_logouts_while_the_provider_folder_is_swapped_with_a_link_never_touch_the_folder_outside()
    {
        var outside = OutsideAwsFolder();
        await Race(
            "provider",
            [(Path.Join(AwsBase, "aws-sso"), Path.Join(AwsBase, "aws-sso.swap"), outside)],
            SeedAws,
            ["auth", "logout", "--provider", "aws-sso"],
            outside,
            result =>
            {
                if (result.Lines.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)"))
                {
                    // Removed means removed: no credentials file is left under either name.
                    Assert.False(File.Exists(Path.Join(AwsBase, "aws-sso", "credentials")) && new FileInfo(Path.Join(AwsBase, "aws-sso")).LinkTarget is null);
                }
            });
    }

    [Fact]
    public async Task Gcp_identity_logouts_while_folders_inside_the_provider_folder_are_swapped_never_touch_the_folders_outside()
    {
        var outside = Path.Join(_home.Root, "outside-gcp");
        GcloudFixture.Create(outside);
        await Race(
            "nested GCP folder",
            [
                (Path.Join(GcpProvider, "gcloud"), Path.Join(GcpProvider, "gcloud.swap"), Path.Join(outside, "gcloud")),
                (Path.Join(GcpProvider, "adc"), Path.Join(GcpProvider, "adc.swap"), Path.Join(outside, "adc")),
            ],
            SeedGcp,
            ["auth", "logout", "dev-sa"],
            outside,
            _ => { });
    }

    private async Task Race(string scope, (string Folder, string Link, string Target)[] swaps, Action seed, string[] command, string outside, Action<CliResult> check)
    {
        var random = Trials.Random(_output.WriteLine);
        var trials = Trials.Count(25);
        var before = TempHome.Fingerprint(outside);
        var helpers = swaps.Select(s => HelperProcess.Start("swap", s.Folder, s.Link)).ToList();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        long exchanges = 0;
        try
        {
            for (var trial = 0; trial < trials; trial++)
            {
                foreach (var (folder, link, target) in swaps)
                {
                    Reset(folder, link, target);
                }

                seed();
                helpers.ForEach(h => h.Send("go"));

                // A random head start, so runs meet the swapper in every phase.
                await Task.Delay(random.Next(0, 3));
                var result = await _cli.RunBounded([.. command, "--config", _config]);
                foreach (var helper in helpers)
                {
                    helper.Send("stop");
                    var line = helper.Output.ReadLine() ?? throw new InvalidOperationException("the swap helper ended");
                    exchanges += long.Parse(line["stopped ".Length..], CultureInfo.InvariantCulture);
                }

                Assert.Equal(before, TempHome.Fingerprint(outside));
                Assert.True(result.ExitCode is 0 or 1, $"{scope} trial {trial}: exit {result.ExitCode}\n{result.Stderr}");
                Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
                check(result);
                var outcome = string.Join(" | ", result.Lines.Where(l => l.Contains("Files:", StringComparison.Ordinal)).Select(Summarise));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        finally
        {
            helpers.ForEach(h => h.Dispose());
        }

        _output.WriteLine($"{scope}: {trials} logouts, {exchanges} exchanges; outcomes:");
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
        {
            _output.WriteLine($"  {count} × {outcome}");
        }

        Assert.True(exchanges > trials, $"the swapper made only {exchanges} exchanges in {trials} logouts");
    }

    // A folder's line in words: ✓/✗ and the reason, without the run-specific paths.
    private static string Summarise(string line) =>
        line.Length > 0 ? line[0] + (line.IndexOf('(', StringComparison.Ordinal) is var at and > 0 ? " " + line[at..] : string.Empty) : line;

    // Both names back: the real folder at its name (emptied of a previous trial's leftovers), the link beside it.
    private static void Reset(string folder, string link, string target)
    {
        foreach (var path in new[] { folder, link })
        {
            if (new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        Directory.CreateDirectory(folder);
        Directory.CreateSymbolicLink(link, target);
    }

    private string OutsideAwsFolder()
    {
        // Where the link points: a stand-in for ~/.aws, holding sections of the same names as the provider's.
        var outside = Path.Join(_home.Root, "outside-aws");
        Directory.CreateDirectory(Path.Join(outside, "nested"));
        File.WriteAllText(Path.Join(outside, "credentials"), Credentials);
        File.WriteAllText(Path.Join(outside, "config"), Config);
        File.WriteAllText(Path.Join(outside, "nested", "keep"), "keep me");
        return outside;
    }

    private void SeedAws()
    {
        var folder = Path.Join(AwsBase, "aws-sso");
        LoadTree.WritePrivate(Path.Join(folder, "credentials"), System.Text.Encoding.UTF8.GetBytes(Credentials.Replace("OUTSIDE", "INSIDE", StringComparison.Ordinal)));
        LoadTree.WritePrivate(Path.Join(folder, "config"), System.Text.Encoding.UTF8.GetBytes(Config));
    }

    private void SeedGcp()
    {
        // Reset left gcloud/ and adc/ empty; fill them from a fresh fixture (the provider folder's own copy).
        var fresh = Path.Join(_home.Root, "fresh-gcp");
        if (Directory.Exists(fresh))
        {
            Directory.Delete(fresh, recursive: true);
        }

        GcloudFixture.Create(fresh);
        foreach (var name in new[] { "gcloud", "adc" })
        {
            var into = Path.Join(GcpProvider, name);
            foreach (var entry in Directory.EnumerateFileSystemEntries(Path.Join(fresh, name)))
            {
                Directory.Move(entry, Path.Join(into, Path.GetFileName(entry)));
            }
        }
    }
}
