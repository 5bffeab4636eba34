using System.Diagnostics;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>A fact that needs dbus-run-session, gnome-keyring-daemon, dbus-send and secret-tool; skipped with the reason otherwise.</summary>
public sealed class RequiresSecretServiceFactAttribute : FactAttribute
{
    public RequiresSecretServiceFactAttribute()
    {
        var missing = Tools.Missing("dbus-run-session", "gnome-keyring-daemon", "dbus-send", "secret-tool");
        if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} (Debian packages dbus, gnome-keyring, libsecret-tools); .ci/run installs them";
        }
    }
}

/// <summary>
/// The published `atmos` against a real Secret Service (a private bus and gnome-keyring-daemon --unlock in a temp HOME):
/// items seeded by secret-tool, session entries removed, keychain credentials kept unless --keychain, and the
/// failure modes (no bus, locked collection) bounded in time while the file steps still run.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyringLogoutTests : IDisposable
{
    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();
    private readonly string _config;

    public KeyringLogoutTests(PublishedAtmos atmos)
    {
        _atmos = atmos;
        _config = AwsTree.Seed(_home);
    }

    public void Dispose() => _home.Dispose();

    private Processes.Outcome Atmos(string busAddress, params string[] args)
    {
        var environment = Processes.IsolatedEnvironment(_home);
        environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress;
        environment["ATMOS_KEYRING_TYPE"] = string.Empty;
        return Processes.Run(_atmos.Executable, [.. args, "--config", _config], environment, _home.Root);
    }

    private static async Task Seed(PrivateSecretService keyring)
    {
        foreach (var (name, secret) in AwsTree.KeyringSecrets)
        {
            var stored = await keyring.SecretToolAsync(secret, "store", $"--label=seeded {name}", "service", name, "username", "atmos-auth");
            Assert.Equal(0, stored.ExitCode);
        }
    }

    private static async Task<string?> Lookup(PrivateSecretService keyring, string name)
    {
        var result = await keyring.SecretToolAsync(null, "lookup", "service", name, "username", "atmos-auth");
        return result.ExitCode == 0 ? result.StandardOutput : null;
    }

    [RequiresSecretServiceFact]
    public async Task Identity_logout_removes_the_chain_session_items_and_keeps_the_rest()
    {
        await using var keyring = await PrivateSecretService.StartAsync();
        await Seed(keyring);

        var result = Atmos(keyring.Address, "auth", "logout", "dev-admin");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Keyring: aws-sso", result.Lines);
        Assert.Contains("✓ Keyring: dev-admin", result.Lines);
        Assert.Null(await Lookup(keyring, "aws-sso"));
        Assert.Null(await Lookup(keyring, "dev-org-admin"));
        Assert.Null(await Lookup(keyring, "dev-admin"));
        Assert.Equal(AwsTree.KeyringSecrets["prod-admin"], await Lookup(keyring, "prod-admin"));
        Assert.Equal(AwsTree.KeyringSecrets["ci-user"], await Lookup(keyring, "ci-user"));
    }

    [RequiresSecretServiceFact]
    public async Task A_default_all_logout_keeps_the_long_lived_aws_user_item()
    {
        await using var keyring = await PrivateSecretService.StartAsync();
        await Seed(keyring);

        var result = Atmos(keyring.Address, "auth", "logout", "--all");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("• Keyring: ci-user preserved (keychain credential; use --keychain to delete)", result.Lines);
        Assert.Equal(AwsTree.KeyringSecrets["ci-user"], await Lookup(keyring, "ci-user"));
        foreach (var name in AwsTree.KeyringSecrets.Keys.Where(n => n != "ci-user"))
        {
            Assert.Null(await Lookup(keyring, name));
        }
    }

    [RequiresSecretServiceFact]
    public async Task Keychain_without_force_and_without_a_terminal_exits_2_then_with_force_removes_everything()
    {
        await using var keyring = await PrivateSecretService.StartAsync();
        await Seed(keyring);
        var before = TempHome.Fingerprint(_home.Home);

        var refused = Atmos(keyring.Address, "auth", "logout", "--all", "--keychain");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        foreach (var (name, secret) in AwsTree.KeyringSecrets)
        {
            Assert.Equal(secret, await Lookup(keyring, name));
        }

        var forced = Atmos(keyring.Address, "auth", "logout", "--all", "--keychain", "--force");

        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("✓ Keyring: ci-user", forced.Lines);
        foreach (var name in AwsTree.KeyringSecrets.Keys)
        {
            Assert.Null(await Lookup(keyring, name));
        }
    }

    [RequiresSecretServiceFact]
    public async Task Dry_run_with_keychain_lists_both_classes_and_removes_nothing()
    {
        await using var keyring = await PrivateSecretService.StartAsync();
        await Seed(keyring);

        var result = Atmos(keyring.Address, "auth", "logout", "ci-deployer", "--dry-run", "--keychain");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Dry run mode: No credentials will be removed",
                "Would remove from identity: ci-deployer",
                "• Keyring: ci-user (keychain credential)",
                "• Files: ~/.config/atmos/aws/aws-user/credentials",
                "2 identities would be logged out",
            ],
            result.Lines);
        Assert.Equal(AwsTree.KeyringSecrets["ci-user"], await Lookup(keyring, "ci-user"));
    }

    [Fact]
    public void With_no_session_bus_the_logout_reports_the_keyring_failure_quickly_and_still_removes_the_files()
    {
        var clock = Stopwatch.StartNew();

        var result = Atmos("unix:path=/nonexistent/bus", "auth", "logout", "dev-admin");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("✗ Keyring: aws-sso (no D-Bus session bus", StringComparison.Ordinal));
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
        Assert.Contains("Logged out with warnings (2/5 successful)", result.Lines);
        Assert.Equal(AwsTree.Without(AwsTree.SsoCredentials + "\n", "dev-admin"), _home.Read($"{AwsTree.SsoFolder}/credentials"));
    }

    [RequiresSecretServiceFact]
    public async Task A_locked_collection_fails_the_keyring_steps_without_a_prompt_and_the_files_still_go()
    {
        await using var keyring = await PrivateSecretService.StartAsync(SecretServiceState.Locked);
        var clock = Stopwatch.StartNew();

        var result = Atmos(keyring.Address, "auth", "logout", "dev-admin");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✗ Keyring: dev-admin (keyring is locked)", result.Lines);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
    }

    [RequiresSecretServiceFact]
    public async Task A_missing_login_collection_is_a_clear_failure_with_the_fix()
    {
        await using var keyring = await PrivateSecretService.StartAsync(SecretServiceState.NoLoginCollection);

        var result = Atmos(keyring.Address, "auth", "logout", "dev-admin");

        Assert.Equal(0, result.ExitCode);
        var error = Assert.Single(result.Lines, l => l.StartsWith("• aws-sso: failed to delete credentials from keyring:", StringComparison.Ordinal));
        Assert.Contains("the Secret Service has no default (login) collection", error, StringComparison.Ordinal);
        Assert.Contains("starting gnome-keyring-daemon with --unlock", error, StringComparison.Ordinal);
    }

    [RequiresSecretServiceFact]
    public async Task Status_shows_the_seeded_items_and_after_a_logout_that_they_are_gone()
    {
        await using var keyring = await PrivateSecretService.StartAsync();
        await Seed(keyring);

        var before = Atmos(keyring.Address, "auth", "status", "dev-admin");

        Assert.Equal(0, before.ExitCode);
        Assert.Equal(AwsTree.DevAdminStatus("secret-service"), before.Lines);

        Assert.Equal(0, Atmos(keyring.Address, "auth", "logout", "dev-admin").ExitCode);
        var after = Atmos(keyring.Address, "auth", "status", "--output", "json");

        Assert.Equal(0, after.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(after.Stdout);
        var holding = report.RootElement.GetProperty("principals").EnumerateArray()
            .Where(p => p.GetProperty("keyring").GetProperty("presence").GetString() == "present")
            .Select(p => p.GetProperty("name").GetString())
            .ToList();
        Assert.Equal(["prod-admin", "backup-provider", "ci-user"], holding);
        Assert.Equal(AwsTree.KeyringSecrets["prod-admin"], await Lookup(keyring, "prod-admin"));
    }

    [RequiresSecretServiceFact]
    public async Task Status_of_a_locked_keyring_reports_it_without_prompting_and_exits_1()
    {
        await using var keyring = await PrivateSecretService.StartAsync(SecretServiceState.Locked);
        var clock = Stopwatch.StartNew();

        var result = Atmos(keyring.Address, "auth", "status", "dev-admin");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["Config: ~/project/atmos.yaml", "Keyring: secret-service (cannot check: keyring is locked)"], result.Lines.Take(2));
        Assert.Contains("  • Files: ~/.config/atmos/aws/aws-sso/credentials (profile in credentials, session)", result.Lines);
        Assert.EndsWith("(incomplete: see above).", result.Lines[^1], StringComparison.Ordinal);
    }
}
