using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// `atmos auth logout` end to end, in-process: real atmos.yaml, real files in a temp HOME, the real AWS plugin loaded
/// from the built host's plugins.json, a shared in-memory keyring.
/// </summary>
public sealed class LogoutCliTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public LogoutCliTests()
    {
        _cli = new CliRun(_home);
        _config = AwsTree.Seed(_home);
        AwsTree.SeedKeyring(_cli.Keyring).GetAwaiter().GetResult();
    }

    public void Dispose() => _home.Dispose();

    private async Task<IReadOnlyList<string>> KeyringNames() => await _cli.Keyring.ListAsync(CancellationToken.None);

    [Fact]
    public async Task Identity_logout_removes_only_that_identity_and_its_chain_session_entries()
    {
        var backupBefore = TempHome.Fingerprint(_home.PathOf("custom"));

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Logging out from identity: dev-admin",
                "Building authentication chain...",
                "✓ Chain: aws-sso → dev-org-admin → dev-admin",
                "Removing credentials...",
                "✓ Keyring: aws-sso",
                "✓ Keyring: dev-org-admin",
                "✓ Keyring: dev-admin",
                "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)",
                "✓ Files: ~/.aws/sso/cache/ (SSO token cache)",
                "Successfully logged out from 3 identities",
                "",
                "⚠️ Note: This only removes local credentials. Your browser session",
                "may still be active. Visit your identity provider to end your",
                "browser session.",
            ],
            result.Lines);

        // Only dev-admin's sections went; every other byte (comments, unrelated sections, nested values) stayed.
        Assert.Equal(AwsTree.Without(AwsTree.SsoCredentials + "\n", "dev-admin"), _home.Read($"{AwsTree.SsoFolder}/credentials"));
        Assert.Equal(AwsTree.Without(AwsTree.SsoConfig + "\n", "profile dev-admin"), _home.Read($"{AwsTree.SsoFolder}/config"));
        Assert.Equal(["backup-provider", "ci-user", "prod-admin"], await KeyringNames());

        // Our SSO token went; other tools' cache files and the user's own ~/.aws files did not.
        Assert.False(_home.Exists(AwsTree.CacheFile(AwsTree.StartUrl)));
        Assert.True(_home.Exists(AwsTree.CacheFile(AwsTree.BackupStartUrl)));
        Assert.True(_home.Exists(AwsTree.CacheFile("https://someone-else.awsapps.com/start")));
        Assert.True(_home.Exists(".aws/sso/cache/botocore-client-id-us-east-1.json"));
        Assert.Equal(AwsTree.UserOwnAwsCredentials + "\n", _home.Read(".aws/credentials"));
        Assert.Equal(backupBefore, TempHome.Fingerprint(_home.PathOf("custom")));
        // Lock files stay at their stable paths beside the files edited (never unlinked while their folder stays).
        Assert.Equal(["config.lock", "credentials.lock"], Directory.GetFiles(_home.PathOf(AwsTree.SsoFolder), "*.lock").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(_home.PathOf(AwsTree.SsoFolder), "*.atmos-tmp", SearchOption.AllDirectories));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_home.PathOf($"{AwsTree.SsoFolder}/credentials")));
    }

    [Fact]
    public async Task Identity_logout_matches_config_profile_headers_with_any_spacing_and_nothing_that_only_looks_alike()
    {
        _home.Write($"{AwsTree.SsoFolder}/config",
            "[profile\tdev-admin]\nregion = us-east-1\n[profiledev-admin]\nregion = eu-west-1\n[sso-session dev-admin]\nsso_region = us-east-1\n[profile    dev-admin]\noutput = json\n");

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("[profiledev-admin]\nregion = eu-west-1\n[sso-session dev-admin]\nsso_region = us-east-1\n", _home.Read($"{AwsTree.SsoFolder}/config"));
    }

    [Fact]
    public async Task Identity_logout_of_a_custom_base_path_identity_says_no_XDG_and_edits_only_there()
    {
        var result = await _cli.RunAsync("auth", "logout", "backup-admin", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/custom/aws/backup-provider/", result.Lines);
        Assert.Equal(AwsTree.Without(AwsTree.BackupCredentials + "\n", "backup-admin"), _home.Read($"{AwsTree.BackupFolder}/credentials"));
        Assert.Equal(AwsTree.SsoCredentials + "\n", _home.Read($"{AwsTree.SsoFolder}/credentials"));
    }

    [Fact]
    public async Task Provider_logout_removes_the_provider_folder_and_every_identity_entry_under_it()
    {
        var result = await _cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Logging out from provider: aws-sso",
                "Removing all credentials for provider...",
                "✓ Keyring: aws-sso",
                "✓ Keyring: dev-org-admin (via aws-sso)",
                "✓ Keyring: dev-admin (via aws-sso)",
                "✓ Keyring: prod-admin (via aws-sso)",
                "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)",
                "✓ Files: ~/.aws/sso/cache/ (SSO token cache)",
                "Successfully logged out from 6 identities",
            ],
            result.Lines);
        Assert.False(_home.Exists(AwsTree.SsoFolder));
        Assert.True(_home.Exists(AwsTree.OktaFolder));
        Assert.Equal(AwsTree.BackupCredentials + "\n", _home.Read($"{AwsTree.BackupFolder}/credentials"));
        Assert.Equal(["backup-provider", "ci-user"], await KeyringNames());
    }

    [Fact]
    public async Task All_logout_removes_every_provider_folder_and_standalone_profile_but_keeps_keychain_credentials()
    {
        var result = await _cli.RunAsync("auth", "logout", "--all", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Logging out from all identities...",
                "Removing all credentials...",
                "✓ Keyring: aws-sso",
                "✓ Keyring: dev-org-admin",
                "✓ Keyring: dev-admin",
                "✓ Keyring: prod-admin",
                "✓ Keyring: backup-provider",
                "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)",
                "✓ Files: ~/custom/aws/backup-provider/",
                "✓ Files: ~/.config/atmos/aws/saml-okta/ (XDG-compliant)",
                "✓ Files: ~/.config/atmos/aws/aws-user/ (XDG-compliant)",
                "✓ Files: ~/.aws/sso/cache/ (SSO token cache)",
                "• Keyring: ci-user preserved (keychain credential; use --keychain to delete)",
                "Successfully logged out from 13 identities",
                "",
                "⚠️ Note: This only removes local credentials. Your browser session",
                "may still be active. Visit your identity provider to end your",
                "browser session.",
            ],
            result.Lines);
        Assert.False(_home.Exists(AwsTree.SsoFolder));
        Assert.False(_home.Exists(AwsTree.BackupFolder));
        Assert.True(_home.Exists("custom/aws"));
        Assert.False(_home.Exists(AwsTree.OktaFolder));
        Assert.False(_home.Exists(AwsTree.StandaloneFolder));
        Assert.Equal(["ci-user"], await KeyringNames());
        Assert.Equal(AwsTree.UserOwnAwsCredentials + "\n", _home.Read(".aws/credentials"));
        Assert.Equal("[default]\nregion = us-east-1\n", _home.Read(".aws/config"));
        // Both SSO providers' tokens went in the one step for the shared cache folder; another tool's token stayed.
        Assert.False(_home.Exists(AwsTree.CacheFile(AwsTree.StartUrl)));
        Assert.False(_home.Exists(AwsTree.CacheFile(AwsTree.BackupStartUrl)));
        Assert.True(_home.Exists(AwsTree.CacheFile("https://someone-else.awsapps.com/start")));
    }

    [Fact]
    public async Task All_logout_with_keychain_and_force_also_deletes_long_lived_credentials()
    {
        var result = await _cli.RunAsync("auth", "logout", "--all", "--keychain", "--force", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Keyring: ci-user", result.Lines);
        Assert.Empty(await KeyringNames());
    }

    [Fact]
    public async Task Keychain_without_a_terminal_and_without_force_exits_2_and_removes_nothing()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "--all", "--keychain", "--config", _config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--force", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Error: --keychain", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(6, (await KeyringNames()).Count);
    }

    [Theory]
    [InlineData("dev-admin")]
    [InlineData("--provider=aws-sso")]
    [InlineData("--all")]
    public async Task Dry_run_changes_no_byte_and_no_keyring_entry(string target)
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", target, "--dry-run", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Dry run mode: No credentials will be removed", result.Lines[0]);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(6, (await KeyringNames()).Count);
    }

    [Fact]
    public async Task Dry_run_of_an_identity_prints_the_plan_a_real_run_executes()
    {
        var dry = await _cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--config", _config);

        Assert.Equal(
            [
                "Dry run mode: No credentials will be removed",
                "Would remove from identity: dev-admin",
                "• Keyring: aws-sso",
                "• Keyring: dev-org-admin",
                "• Keyring: dev-admin",
                "• Files: ~/.config/atmos/aws/aws-sso/credentials",
                "• Files: ~/.config/atmos/aws/aws-sso/config",
                $"• Files: ~/{AwsTree.CacheFile(AwsTree.StartUrl)}",
                "3 identities would be logged out",
            ],
            dry.Lines);

        // The same plan drives both: the steps a dry run lists are exactly the steps the real run executes.
        var dryJson = await _cli.RunAsync("auth", "logout", "dev-admin", "--dry-run", "--output", "json", "--config", _config);
        var realJson = await _cli.RunAsync("auth", "logout", "dev-admin", "--output", "json", "--config", _config);
        using var dryDocument = System.Text.Json.JsonDocument.Parse(dryJson.Stdout);
        using var realDocument = System.Text.Json.JsonDocument.Parse(realJson.Stdout);
        static IEnumerable<string> Steps(System.Text.Json.JsonDocument d) =>
            d.RootElement.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("type").GetString()} {s.GetProperty("target").GetString()}");
        Assert.Equal(Steps(dryDocument), Steps(realDocument));
        Assert.Equal(5, Steps(realDocument).Count());
        Assert.All(dryDocument.RootElement.GetProperty("steps").EnumerateArray(), s => Assert.Equal("planned", s.GetProperty("outcome").GetString()));
        Assert.All(realDocument.RootElement.GetProperty("steps").EnumerateArray(), s => Assert.Equal("removed", s.GetProperty("outcome").GetString()));
        Assert.Equal("dry_run", dryDocument.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("success", realDocument.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task All_dry_run_prints_the_reference_summary_form()
    {
        var result = await _cli.RunAsync("auth", "logout", "--all", "--dry-run", "--config", _config);

        Assert.Equal(
            [
                "Dry run mode: No credentials will be removed",
                "Would remove:",
                "• All identity keyring entries",
                "• All provider keyring entries",
                "• Files:",
                "- ~/.config/atmos/aws/aws-sso/",
                "- ~/custom/aws/backup-provider/",
                "- ~/.config/atmos/aws/saml-okta/",
                "- ~/.config/atmos/aws/aws-user/",
                "- ~/.aws/sso/cache/",
                "• Keyring: ci-user preserved (keychain credential; use --keychain to delete)",
            ],
            result.Lines);
    }

    [Fact]
    public async Task A_malformed_credentials_file_is_reported_and_left_untouched_while_the_rest_runs()
    {
        var malformed = "[dev-admin]\naws_access_key_id = X\nthis line is not ini\n[prod-admin]\nk = v\n";
        _home.Write($"{AwsTree.SsoFolder}/credentials", malformed);
        var configBefore = _home.Read($"{AwsTree.SsoFolder}/config");

        var result = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(malformed, _home.Read($"{AwsTree.SsoFolder}/credentials"));
        Assert.Contains("✗ Files: ~/.config/atmos/aws/aws-sso/ (malformed file, left untouched)", result.Lines);
        Assert.Contains("Logged out with warnings (4/5 successful)", result.Lines);
        Assert.Contains(
            "• dev-admin: ~/.config/atmos/aws/aws-sso/credentials:3: is neither a [section], a key = value setting nor a comment; the file was left untouched, fix or remove it by hand (config was updated)",
            result.Lines);

        // One bad file fails only itself (issue 17): config, a file of its own, is still edited.
        Assert.Equal(AwsTree.Without(configBefore, "profile dev-admin"), _home.Read($"{AwsTree.SsoFolder}/config"));
    }

    [Fact]
    public async Task A_symlinked_provider_folder_is_unlinked_its_target_left_intact_and_reported()
    {
        var elsewhere = Path.Join(_home.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Join(elsewhere, "credentials"), "[dev-admin]\nk = v\n");
        Directory.Delete(_home.PathOf(AwsTree.SsoFolder), recursive: true);
        Directory.CreateSymbolicLink(_home.PathOf(AwsTree.SsoFolder), elsewhere);

        var identity = await _cli.RunAsync("auth", "logout", "dev-admin", "--config", _config);
        Assert.Contains("✗ Files: ~/.config/atmos/aws/aws-sso/ (refused: unsafe path)", identity.Lines);
        Assert.Equal("[dev-admin]\nk = v\n", File.ReadAllText(Path.Join(elsewhere, "credentials")));

        // The link goes; the folder it pointed at is never entered, and the step says that it still holds credentials.
        var provider = await _cli.RunAsync("auth", "logout", "--provider", "aws-sso", "--config", _config);
        Assert.Equal(0, provider.ExitCode);
        Assert.Contains("✗ Files: ~/.config/atmos/aws/aws-sso/ (link removed, target kept)", provider.Lines);
        Assert.Contains(provider.Lines, l => l.Contains($"so {elsewhere} still holds credentials", StringComparison.Ordinal));
        Assert.False(_home.Exists(AwsTree.SsoFolder) || new FileInfo(_home.PathOf(AwsTree.SsoFolder)).LinkTarget is not null);
        Assert.Equal("[dev-admin]\nk = v\n", File.ReadAllText(Path.Join(elsewhere, "credentials")));
    }

    [Fact]
    public async Task An_unknown_identity_exits_2_with_the_sorted_identities_and_the_hint()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "myidentity", "--config", _config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "Error: identity \"myidentity\" not found in configuration",
                "",
                "Available identities:",
                "• backup-admin",
                "• backup-reader",
                "• ci-deployer",
                "• ci-user",
                "• dev-admin",
                "• dev-org-admin",
                "• dev-readonly",
                "• okta-analyst",
                "• prod-admin",
                "• staging-admin",
                "",
                "Searched: ~/project/atmos.yaml",
                "",
                "Run 'atmos auth logout' without arguments for interactive selection.",
            ],
            result.Lines);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task Identity_names_match_case_insensitively_when_unambiguous()
    {
        var result = await _cli.RunAsync("auth", "logout", "DEV-ADMIN", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Logging out from identity: DEV-ADMIN", result.Lines[0]);
        Assert.Contains("✓ Chain: aws-sso → dev-org-admin → dev-admin", result.Lines);
    }

    [Fact]
    public async Task The_identity_comes_from_ATMOS_IDENTITY_then_IDENTITY()
    {
        _cli.Environment["IDENTITY"] = "prod-admin";
        _cli.Environment["ATMOS_IDENTITY"] = "dev-readonly";

        var result = await _cli.RunAsync("auth", "logout", "--dry-run", "--config", _config);

        Assert.Equal("Would remove from identity: dev-readonly", result.Lines[1]);
    }

    [Fact]
    public async Task Short_and_long_identity_flags_work()
    {
        var shortFlag = await _cli.RunAsync("auth", "logout", "-i", "dev-admin", "--dry-run", "--config", _config);
        var longFlag = await _cli.RunAsync("auth", "logout", "--identity", "dev-admin", "--dry-run", "--config", _config);

        Assert.Equal("Would remove from identity: dev-admin", shortFlag.Lines[1]);
        Assert.Equal(shortFlag.Lines, longFlag.Lines);
    }

    [Fact]
    public async Task No_target_and_no_terminal_exits_2_listing_the_choices()
    {
        var result = await _cli.RunAsync("auth", "logout", "--config", _config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: no identity given and no terminal", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("• Identity: backup-admin", result.Lines);
        Assert.Contains("• Provider: aws-sso (removes all identities)", result.Lines);
        Assert.Contains("• All identities (complete logout)", result.Lines);
    }

    [Theory]
    [InlineData("--all", "dev-admin")]
    [InlineData("--all", "--provider=aws-sso")]
    [InlineData("--provider=aws-sso", "dev-admin")]
    [InlineData("--bogus", "dev-admin")]
    public async Task Conflicting_or_unknown_flags_exit_2_with_one_line(string first, string second)
    {
        var result = await _cli.RunAsync("auth", "logout", first, second, "--config", _config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: ", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal(6, (await KeyringNames()).Count);
    }

    [Fact]
    public async Task An_identity_already_logged_out_says_so_and_exits_0()
    {
        await _cli.RunAsync("auth", "logout", "dev-readonly", "--config", _config);
        await _cli.Keyring.SetAsync("aws-sso", AwsTree.KeyringSecrets["aws-sso"], CancellationToken.None);
        await _cli.Keyring.RemoveAsync("aws-sso", CancellationToken.None);

        var result = await _cli.RunAsync("auth", "logout", "dev-readonly", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Identity 'dev-readonly' is already logged out.", "No credentials found in keyring or file storage."], result.Lines.TakeLast(2));
    }
}
