using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Snapshooter;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Tests.Output;

/// <summary>
/// Every example output of the reference doc, rendered by the real CLI from the state the example starts in (temp
/// HOME, seeded files and keyring), snapshot in __snapshots__ and checked for the outcome it describes.
/// </summary>
public sealed class ReferenceExampleTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;

    public ReferenceExampleTests() => _cli = new CliRun(_home) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };

    public void Dispose() => _home.Dispose();

    private async Task<IReadOnlyList<string>> KeyringNames() => await _cli.Keyring.ListAsync(CancellationToken.None);

    private string Scrub(string text) => Scrubber.Scrub(text, _home);

    private async Task<string> ChainState(params string[] keyring)
    {
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.ChainConfig);
        await ReferenceTree.SeedKeyring(_cli.Keyring, keyring);
        return config;
    }

    [Fact]
    public async Task Logout_from_a_specific_identity()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin", "prod-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-org-admin", "dev-admin", "prod-admin");

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(["prod-admin"], await KeyringNames());
        Assert.DoesNotContain("[dev-admin]", _home.Read($"{ReferenceTree.SsoFolder}/credentials"), StringComparison.Ordinal);
        Assert.Contains("[prod-admin]", _home.Read($"{ReferenceTree.SsoFolder}/credentials"), StringComparison.Ordinal);
        Assert.Equal("[profile dev-org-admin]\nregion = us-east-1\n\n[profile prod-admin]\nregion = us-east-1\n\n", _home.Read($"{ReferenceTree.SsoFolder}/config"));
    }

    [Theory]
    [InlineData("dev-admin")]
    [InlineData("--identity=dev-admin")]
    [InlineData("-i=dev-admin")]
    public async Task The_three_ways_of_naming_the_identity_render_the_same(string target)
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin");

        var result = await _cli.RunAsync("auth", "logout", target, "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Empty(await KeyringNames());
    }

    [Fact]
    public async Task Logout_from_all_identities()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin", "prod-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-org-admin", "dev-admin", "prod-admin");

        var result = await _cli.RunAsync("auth", "logout", "--all", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Empty(await KeyringNames());
        Assert.False(_home.Exists(ReferenceTree.SsoFolder));
    }

    [Fact]
    public async Task Logout_from_a_specific_provider()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin", "prod-admin", "backup-provider");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-org-admin", "dev-admin", "prod-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.BackupFolder, "backup-reader");

        var result = await _cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(["backup-provider"], await KeyringNames());
        Assert.False(_home.Exists(ReferenceTree.SsoFolder));
        Assert.True(_home.Exists($"{ReferenceTree.BackupFolder}/credentials"));
    }

    [Fact]
    public async Task Dry_run_of_an_identity()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin");
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(3, (await KeyringNames()).Count);
    }

    [Fact]
    public async Task Dry_run_of_everything()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin", "prod-admin", "backup-provider");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin", "prod-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.BackupFolder, "backup-reader");
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "--all", "--dry-run", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(5, (await KeyringNames()).Count);
    }

    [Fact]
    public async Task Error_handling_with_a_missing_credential()
    {
        // The example's shape with the missing entry a kind that leaves one (the provider's SSO token): a permission set's
        // session lives in the profile files only (REAL-ATMOS §2), so its missing entry is no warning.
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.DocConfig);
        await ReferenceTree.SeedKeyring(_cli.Keyring, "dev-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin");

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Empty(await KeyringNames());
        Assert.False(_home.Exists(ReferenceTree.SsoFolder));
    }

    [Fact]
    public async Task Identity_not_found()
    {
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.DocConfig);
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "myidentity", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task Already_logged_out()
    {
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.DocConfig);
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task Audit_trail_at_debug_level()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin");
        _cli.Environment["ATMOS_LOGS_LEVEL"] = "Debug";

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.All(ReferenceTree.Secrets, secret => Assert.DoesNotContain(secret, result.Stderr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_lines_are_stamped_in_UTC_whatever_the_clock_offset()
    {
        var config = await ChainState("aws-sso");
        var cli = new CliRun(_home, _cli.Keyring) { Clock = new FakeTimeProvider(new DateTimeOffset(2025, 10, 17, 12, 15, 30, TimeSpan.FromHours(2))) };
        cli.Environment["ATMOS_LOGS_LEVEL"] = "debug";

        var result = await cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "2025-10-17T10:15:30Z DEBUG Read config files=~/project/atmos.yaml",
                "2025-10-17T10:15:30Z DEBUG Starting logout provider=aws-sso",
                "2025-10-17T10:15:30Z DEBUG Removing keyring entry alias=aws-sso",
                "2025-10-17T10:15:30Z INFO Logout completed provider=aws-sso removed=1",
            ],
            result.Lines.Where(l => l.StartsWith("2025-", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("secret-service")]
    [InlineData("keychain")]
    public async Task Permission_denied_by_the_keyring(string backend)
    {
        var denying = new CliRun(_home, new DenyingKeyring(backend)) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.ChainConfig);
        await ReferenceTree.SeedKeyring(denying.Keyring, "aws-sso", "dev-org-admin", "dev-admin");

        var result = await denying.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr), SnapshotNameExtension.Create(backend));
        Assert.Equal(3, (await denying.Keyring.ListAsync(CancellationToken.None)).Count);
        if (backend == "keychain")
        {
            // The reference doc's "Permission Denied" troubleshooting entry, word for word.
            Assert.Equal(
                [
                    "Error: failed to delete credentials from keyring: access denied",
                    "Solution: The system keyring requires authentication. On macOS, you may need to grant Atmos permission in System Preferences → Security & Privacy → Privacy → Accessibility.",
                ],
                result.Lines.TakeLast(2));
        }
    }

    [RequiresWriteProtectionFact]
    public async Task Files_not_removed_for_lack_of_permission()
    {
        var config = await ChainState("aws-sso", "dev-org-admin", "dev-admin");
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin", "prod-admin");
        var before = TempHome.Fingerprint(_home.PathOf(ReferenceTree.SsoFolder));

        CliResult result;
        using (WriteProtection.Protect(_home.PathOf(ReferenceTree.SsoFolder)))
        {
            result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", config);
        }

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(Scrub(result.Stderr));
        Assert.Equal(before, TempHome.Fingerprint(_home.PathOf(ReferenceTree.SsoFolder)));
        Assert.Empty(await KeyringNames());
    }
}
