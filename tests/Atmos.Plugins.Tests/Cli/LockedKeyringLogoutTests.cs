using System.Text.Json;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// Issue 20: with the keyring locked nothing is known to be in it, but whatever is there would go; a keychain
/// credential's kind (aws/user) must still be kept without --keychain, not planned as a session removal.
/// </summary>
public sealed class LockedKeyringLogoutTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public LockedKeyringLogoutTests()
    {
        _cli = new CliRun(_home, new LockedKeyring());
        _config = AwsTree.Seed(_home);
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task All_keeps_the_iam_user_entry_a_locked_keyring_may_hold_unless_keychain_is_given()
    {
        var result = await _cli.RunAsync("auth", "logout", "--all", "--output", "json", "--config", _config);

        var document = JsonDocument.Parse(result.Stdout).RootElement;
        var keyringTargets = document.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("type").GetString() == "keyring").Select(s => s.GetProperty("target").GetString()).ToList();
        Assert.DoesNotContain("ci-user", keyringTargets);
        Assert.Contains("ci-deployer", keyringTargets);
        var preserved = Assert.Single(document.GetProperty("preserved").EnumerateArray());
        Assert.Equal("ci-user", preserved.GetProperty("target").GetString());
        Assert.Equal("long-lived", preserved.GetProperty("class").GetString());
        Assert.DoesNotContain("✗ Keyring: ci-user (keyring is locked)", result.Lines);
    }

    [Fact]
    public async Task With_keychain_the_iam_user_entry_is_planned_as_the_keychain_credential_it_is()
    {
        var result = await _cli.RunAsync("auth", "logout", "--all", "--keychain", "--force", "--output", "json", "--config", _config);

        var document = JsonDocument.Parse(result.Stdout).RootElement;
        var step = document.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("type").GetString() == "keyring" && s.GetProperty("target").GetString() == "ci-user");
        Assert.Equal("long-lived", step.GetProperty("class").GetString());
        Assert.Empty(document.GetProperty("preserved").EnumerateArray());
        Assert.Contains("✗ Keyring: ci-user (keyring is locked)", result.Lines);
    }
}
