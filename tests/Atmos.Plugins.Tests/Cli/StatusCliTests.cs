using System.Text.Json;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>`atmos auth status` in-process on the realistic tree: what is stored, read-only, with expiry, as text, table and JSON.</summary>
public sealed class StatusCliTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public StatusCliTests()
    {
        _cli = new CliRun(_home) { Clock = new FakeTimeProvider(ReferenceTime.Instant), Interaction = new NoPrompts() };
        _config = AwsTree.Seed(_home);
        AwsTree.SeedKeyring(_cli.Keyring).GetAwaiter().GetResult();
    }

    public void Dispose() => _home.Dispose();

    private Task<CliResult> Status(params string[] args) => _cli.RunAsync(["auth", "status", .. args, "--config", _config]);

    [Fact]
    public async Task Status_shows_what_the_seeded_tree_holds_and_changes_nothing()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = await Status();

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stdout);
        Snapshot.Match(Scrubber.Scrub(result.Stderr, _home));
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(6, (await _cli.Keyring.ListAsync(CancellationToken.None)).Count);
        Assert.All(AwsTree.Secrets, secret => Assert.DoesNotContain(secret, result.Stderr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_reads_a_file_keyring_without_writing_to_it_or_prompting()
    {
        var keyring = new Atmos.Plugins.Engine.Keyring.Files.FileKeyring(_home.PathOf(".local/share/atmos/keyring"), "status-test-password");
        await AwsTree.SeedKeyring(keyring);
        var cli = new CliRun(_home, keyring) { Clock = new FakeTimeProvider(ReferenceTime.Instant), Interaction = new NoPrompts() };
        var before = TempHome.Fingerprint(_home.Home);

        var result = await cli.RunAsync("auth", "status", "ci-user", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("  • Keyring: keychain credential", result.Lines[3]);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task In_a_realm_status_names_it_and_shows_every_key_form_and_folder_found()
    {
        var home = new TempHome();
        try
        {
            var cli = new CliRun(home) { Clock = new FakeTimeProvider(ReferenceTime.Instant), Interaction = new NoPrompts() };
            var config = home.Write("project/atmos.yaml", "auth:\n  realm: acme\n  providers:\n    sso: { kind: aws/iam-identity-center, region: us-east-1, start_url: \"https://acme.awsapps.com/start\" }\n  identities:\n    Dev: { kind: aws/permission-set, via: { provider: sso } }\n");
            home.Write(".config/atmos/acme/aws/sso/credentials", "[dev]\naws_session_token = t\n");
            home.Write(".config/atmos/aws/sso/credentials", "[Dev]\naws_session_token = t\n");
            await cli.Keyring.SetAsync("atmos_acme_sso", """{"type":"aws","data":{"access_key_id":"T","expiration":"2030-01-01T00:00:00Z"}}""", CancellationToken.None);
            await cli.Keyring.SetAsync("sso", """{"type":"aws","data":{"access_token":"T"}}""", CancellationToken.None);

            var result = await cli.RunAsync("auth", "status", "--config", config);
            var json = await cli.RunAsync("auth", "status", "--output", "json", "--config", config);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(
                [
                    "Config: ~/project/atmos.yaml",
                    "Keyring: memory, realm: acme",
                    "sso (provider, aws/iam-identity-center)",
                    "  • Keyring: session, expires 2030-01-01T00:00:00Z [atmos_acme_sso, sso]",
                    "Dev (identity via sso, aws/permission-set)",
                    "  • Keyring: none",
                    "  • Files: ~/.config/atmos/acme/aws/sso/credentials (profile in credentials, session)",
                    "  • Files: ~/.config/atmos/aws/sso/credentials (profile in credentials, session)",
                    "2 of 2 identities and providers hold local credentials.",
                ],
                result.Lines);
            using var document = JsonDocument.Parse(json.Stdout);
            Assert.Equal("acme", document.RootElement.GetProperty("realm").GetString());
            Assert.Equal(["atmos_acme_sso", "sso"], document.RootElement.GetProperty("principals")[0].GetProperty("keyring").GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        }
        finally
        {
            home.Dispose();
        }
    }

    [Fact]
    public async Task After_a_logout_status_shows_that_the_identity_is_gone()
    {
        var before = await Status("dev-admin");
        Assert.Equal(AwsTree.DevAdminStatus("memory"), before.Lines);

        Assert.Equal(0, (await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config)).ExitCode);
        var after = await Status("dev-admin");

        Assert.Equal(0, after.ExitCode);
        Assert.Equal(
            [
                "Config: ~/project/atmos.yaml",
                "Keyring: memory",
                "aws-sso (provider, aws/iam-identity-center)",
                "  • nothing stored",
                "dev-org-admin (identity via aws-sso, aws/permission-set)",
                "  • nothing stored",
                "dev-admin (identity via aws-sso, aws/assume-role)",
                "  • nothing stored",
                "Nothing stored: every identity and provider here is logged out.",
            ],
            after.Lines);
    }

    [Fact]
    public async Task Status_of_a_provider_covers_it_and_its_identities()
    {
        var result = await Status("--provider", "backup-provider");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Config: ~/project/atmos.yaml",
                "Keyring: memory",
                "backup-provider (provider, aws/iam-identity-center)",
                "  • Keyring: session",
                $"  • Files: ~/{AwsTree.CacheFile(AwsTree.BackupStartUrl)} (SSO token, session, expires 2030-01-01T00:00:00Z)",
                "backup-reader (identity via backup-provider, aws/permission-set)",
                "  • Keyring: none",
                "  • Files: ~/custom/aws/backup-provider/credentials (profile in credentials, session)",
                "backup-admin (identity via backup-provider, aws/assume-role)",
                "  • Keyring: none",
                "  • Files: ~/custom/aws/backup-provider/credentials (profile in credentials, session)",
                "3 of 3 identities and providers hold local credentials.",
            ],
            result.Lines);
    }

    [Fact]
    public async Task Expiry_comes_from_the_keyring_envelope_and_the_files_and_past_expiry_says_expired()
    {
        await _cli.Keyring.SetAsync("prod-admin", """{"type":"aws","data":{"session_token":"KR-x","expiration":"2025-10-17T09:00:00Z"}}""", CancellationToken.None);
        _home.Write($"{AwsTree.OktaFolder}/credentials", "[okta-analyst]\naws_session_token = TOKEN-o\naws_session_expiration = 2025-10-17T11:00:00Z\n");

        var prod = await Status("prod-admin");
        var okta = await Status("okta-analyst");

        Assert.Contains("  • Keyring: session, expired 2025-10-17T09:00:00Z", prod.Lines);
        Assert.Contains("  • Files: ~/.config/atmos/aws/saml-okta/credentials (profile in credentials, session, expires 2025-10-17T11:00:00Z)", okta.Lines);
    }

    [Fact]
    public async Task Json_status_parses_and_agrees_with_the_keyring_and_the_files()
    {
        var result = await Status("--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        using var document = JsonDocument.Parse(result.Stdout);
        var report = document.RootElement;
        Assert.Equal(1, report.GetProperty("schema_version").GetInt32());
        Assert.Equal("auth status", report.GetProperty("command").GetString());
        Assert.Equal("2025-10-17T10:15:30Z", report.GetProperty("at").GetString());
        var principals = report.GetProperty("principals").EnumerateArray().ToList();
        Assert.Equal(13, principals.Count);
        var inKeyring = await _cli.Keyring.ListAsync(CancellationToken.None);
        Assert.Equal(
            inKeyring.Order(StringComparer.Ordinal),
            principals.Where(p => p.GetProperty("keyring").GetProperty("presence").GetString() == "present").Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(principals.SelectMany(p => p.GetProperty("files").EnumerateArray()), f => Assert.True(File.Exists(f.GetProperty("path").GetString())));
        var ciUser = principals.Single(p => p.GetProperty("name").GetString() == "ci-user");
        Assert.Equal("long-lived", ciUser.GetProperty("keyring").GetProperty("class").GetString());
        var sso = principals.Single(p => p.GetProperty("name").GetString() == "aws-sso");
        Assert.Equal("2030-01-01T00:00:00Z", sso.GetProperty("keyring").GetProperty("expires").GetString());
        Assert.False(sso.GetProperty("keyring").GetProperty("expired").GetBoolean());
        Assert.Equal(12, report.GetProperty("counts").GetProperty("holding_credentials").GetInt32());
        Assert.True(report.GetProperty("complete").GetBoolean());
        Assert.All(AwsTree.Secrets, secret => Assert.DoesNotContain(secret, result.Stdout, StringComparison.Ordinal));
        Snapshot.Match(Scrubber.Scrub(result.Stdout, _home));
    }

    [Fact]
    public async Task On_a_terminal_status_is_a_table()
    {
        _cli.ErrorIsTerminal = true;
        _cli.Environment["NO_COLOR"] = "1";
        _cli.Environment["COLUMNS"] = "120";

        var result = await Status("--provider", "aws-sso");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Snapshot.Match(Scrubber.Scrub(result.Stderr, _home));
    }

    [Theory]
    [InlineData(140, true)]
    [InlineData(115, true)]
    [InlineData(90, false)]
    public async Task A_table_never_wraps_a_path_inside_a_name_and_a_terminal_too_narrow_for_one_gets_the_plain_lines(int columns, bool table)
    {
        _cli.ErrorIsTerminal = true;
        _cli.Environment["NO_COLOR"] = "1";
        _cli.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await Status("--provider", "aws-sso");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(table, result.Stderr.Contains('│', StringComparison.Ordinal));
        if (table)
        {
            Assert.All(result.Lines, line => Assert.True(line.Length <= columns, $"wider than {columns}: {line}"));
        }

        foreach (var name in new[] { Path.GetFileName(AwsTree.CacheFile(AwsTree.StartUrl)), "credentials", "2030-01-01T00:00:00Z" })
        {
            Assert.Contains(result.Lines, line => line.Contains(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unreadable_keyring_is_reported_and_the_report_is_partial_with_exit_1()
    {
        var locked = new CliRun(_home, new LockedKeyring()) { Clock = new FakeTimeProvider(ReferenceTime.Instant) };

        var result = await locked.RunAsync("auth", "status", "dev-admin", "--config", _config);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["Config: ~/project/atmos.yaml", "Keyring: secret-service (cannot check: keyring is locked)"], result.Lines.Take(2));
        Assert.Contains("  • Keyring: cannot check", result.Lines);
        Assert.Contains("  • Files: ~/.config/atmos/aws/aws-sso/credentials (profile in credentials, session)", result.Lines);
        Assert.Equal("2 of 3 identities and providers hold local credentials (incomplete: see above).", result.Lines[^1]);
    }

    [Theory]
    [InlineData("nobody", "Error: identity \"nobody\" not found in configuration")]
    [InlineData("--provider=nowhere", "Error: provider \"nowhere\" not found in configuration")]
    public async Task An_unknown_name_exits_2_with_the_choices(string argument, string error)
    {
        var result = await Status(argument);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Lines[0]);
        Assert.Equal("Run 'atmos auth status' without arguments to see every identity and provider.", result.Lines[^1]);
    }

    [Fact]
    public async Task An_identity_and_a_provider_together_exit_2()
    {
        var result = await Status("dev-admin", "--provider", "aws-sso");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Error: --provider cannot be combined with an identity; use either --provider NAME or an identity", result.Lines[0]);
    }
}

/// <summary>Fails the test if anything tries to prompt.</summary>
internal sealed class NoPrompts : IUserInteraction
{
    public bool CanPrompt => true;

    public Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken) => throw new InvalidOperationException("status prompted");

    public Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken) => throw new InvalidOperationException("status prompted");
}
