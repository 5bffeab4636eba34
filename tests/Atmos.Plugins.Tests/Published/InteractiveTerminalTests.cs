using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Tests.Support;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Tests.Published;

/// <summary>
/// The published `atmos` in a real pseudo-terminal (tmux): the picker of the reference doc's "Interactive Mode" and the
/// --keychain confirmation, driven with arrow keys, Enter, Esc and Ctrl-C, checked by what the screen shows, the exit
/// code, and what is left in the files and in a (file) keyring seeded beforehand.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class InteractiveTerminalTests : IDisposable
{
    private const string Password = "interactive-test-password";

    private static readonly string[] Picker =
    [
        "? Choose what to logout from:",
        string.Empty,
        "> Identity: dev-admin",
        "  Identity: dev-readonly",
        "  Identity: prod-admin",
        "  Provider: aws-sso (removes all identities)",
        "  All identities (complete logout)",
        "  All realms (everything atmos left on this machine)",
    ];

    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();
    private readonly FileKeyring _keyring;

    public InteractiveTerminalTests(PublishedAtmos atmos)
    {
        _atmos = atmos;
        _keyring = new FileKeyring(_home.PathOf(".local/share/atmos/keyring"), Password);
    }

    public void Dispose() => _home.Dispose();

    private TmuxSession Atmos(params string[] args) => TmuxSession.Start(
        _atmos.Executable,
        args,
        new Dictionary<string, string>
        {
            ["HOME"] = _home.Home,
            ["XDG_STATE_HOME"] = Path.Join(_home.Root, "state"), // the audit trail goes beside HOME, whose bytes these tests check
            ["NO_COLOR"] = "1",
            ["ATMOS_KEYRING_TYPE"] = "file",
            ["ATMOS_KEYRING_PASSWORD"] = Password,
        },
        _home.Root);

    private async Task<IReadOnlyList<string>> KeyringNames() => await _keyring.ListAsync(CancellationToken.None);

    private async Task<string> DocState()
    {
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.DocConfig);
        ReferenceTree.WriteProfiles(_home, ReferenceTree.SsoFolder, "dev-admin", "prod-admin", "dev-readonly");
        await ReferenceTree.SeedKeyring(_keyring, "aws-sso", "dev-admin", "prod-admin", "dev-readonly");
        return config;
    }

    [RequiresProgramFact(TmuxSession.Program, "tmux")]
    public async Task With_no_arguments_the_sorted_picker_logs_out_the_chosen_identity()
    {
        var config = await DocState();
        using var terminal = Atmos("auth", "logout", "--config", config);

        var picker = await terminal.WaitForLine("  All realms (everything atmos left on this machine)");
        Assert.Equal(Picker, picker);
        Snapshot.Match(string.Join('\n', picker));

        terminal.Press("Down", "Down");
        Assert.Equal("> Identity: prod-admin", (await terminal.WaitForLine("> Identity: prod-admin"))[4]);
        terminal.Press("Enter");

        Assert.Equal(0, await terminal.WaitForExit());
        Assert.Equal(
            [
                "Logging out from identity: prod-admin",
                "Building authentication chain...",
                "✓ Chain: aws-sso → prod-admin",
                "Removing credentials...",
                "✓ Keyring: aws-sso",
                "✓ Keyring: prod-admin",
                "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)",
                "Successfully logged out from 2 identities",
                string.Empty,
                "⚠️ Note: This only removes local credentials. Your browser session",
                "may still be active. Visit your identity provider to end your",
                "browser session.",
            ],
            terminal.Screen());
        Assert.Equal(["dev-admin", "dev-readonly"], await KeyringNames());
        var credentials = _home.Read($"{ReferenceTree.SsoFolder}/credentials");
        Assert.DoesNotContain("[prod-admin]", credentials, StringComparison.Ordinal);
        Assert.Contains("[dev-admin]", credentials, StringComparison.Ordinal);
        Assert.Contains("[dev-readonly]", credentials, StringComparison.Ordinal);
    }

    [RequiresProgramFact(TmuxSession.Program, "tmux")]
    public async Task Identity_flag_without_a_value_opens_the_picker_and_a_provider_row_logs_out_the_provider()
    {
        var config = await DocState();
        using var terminal = Atmos("auth", "logout", "--identity", "--config", config);

        Assert.Equal(Picker, await terminal.WaitForLine("  All realms (everything atmos left on this machine)"));
        terminal.Press("Down", "Down", "Down");
        await terminal.WaitForLine("> Provider: aws-sso (removes all identities)");
        terminal.Press("Enter");

        Assert.Equal(0, await terminal.WaitForExit());
        Assert.Equal("Logging out from provider: aws-sso", terminal.Screen()[0]);
        Assert.Contains("Successfully logged out from 4 identities", terminal.Screen());
        Assert.Empty(await KeyringNames());
        Assert.False(_home.Exists(ReferenceTree.SsoFolder));
    }

    [RequiresProgramTheory(TmuxSession.Program, "tmux")]
    [InlineData("Escape")]
    [InlineData("C-c")]
    public async Task Esc_or_Ctrl_C_in_the_picker_cancels_with_130_and_removes_nothing(string key)
    {
        var config = await DocState();
        var before = TempHome.Fingerprint(_home.Home);
        using var terminal = Atmos("auth", "logout", "--config", config);

        await terminal.WaitForLine("  All realms (everything atmos left on this machine)");
        terminal.Press("Down", key);

        Assert.Equal(130, await terminal.WaitForExit());
        var screen = terminal.Screen();
        Assert.Equal("Logout interrupted - nothing was removed", screen[^1]);

        // Esc clears the picker; Ctrl-C abandons it where it stands.
        Assert.Equal(key == "Escape" ? 1 : Picker.Length + 1, screen.Count);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    private async Task<string> ConfirmationState()
    {
        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.ChainConfig);
        ReferenceTree.WriteProfiles(_home, ".config/atmos/aws/aws-user", "ci-user");
        await ReferenceTree.SeedKeyring(_keyring, "ci-user", "dev-admin");
        return config;
    }

    private async Task<TmuxSession> Confirmation(string config)
    {
        var terminal = Atmos("auth", "logout", "ci-user", "--keychain", "--config", config);
        var screen = await terminal.WaitForLine("> No, keep credentials");
        Assert.Equal(
            [
                "Delete keychain credentials for ci-user?",
                "This will permanently remove:",
                "• IAM user access keys",
                "• Service account credentials",
                "• Provider credentials",
                "Keychain credentials found: Keyring: ci-user",
                "Session data will also be cleared.",
                "  Yes, delete credentials",
                "> No, keep credentials",
            ],
            screen);
        return terminal;
    }

    [RequiresProgramFact(TmuxSession.Program, "tmux")]
    public async Task Declining_the_keychain_confirmation_preserves_everything_and_exits_0()
    {
        var config = await ConfirmationState();
        var before = TempHome.Fingerprint(_home.Home);
        using var terminal = await Confirmation(config);
        Snapshot.Match(string.Join('\n', terminal.Screen()));

        terminal.Press("Enter");

        Assert.Equal(0, await terminal.WaitForExit());
        Assert.Equal("Logout cancelled - credentials preserved", terminal.Screen()[^1]);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(["ci-user", "dev-admin"], await KeyringNames());
    }

    [RequiresProgramFact(TmuxSession.Program, "tmux")]
    public async Task Accepting_the_keychain_confirmation_deletes_the_keychain_credential()
    {
        using var terminal = await Confirmation(await ConfirmationState());

        terminal.Press("Up");
        await terminal.WaitForLine("> Yes, delete credentials");
        terminal.Press("Enter");

        Assert.Equal(0, await terminal.WaitForExit());
        var screen = terminal.Screen();
        Assert.Contains("✓ Keyring: ci-user", screen);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-user/ (XDG-compliant)", screen);
        Assert.Contains("Successfully logged out from 1 identity", screen);
        Assert.Equal(["dev-admin"], await KeyringNames());
        Assert.False(_home.Exists(".config/atmos/aws/aws-user"));
    }

    [RequiresProgramFact(TmuxSession.Program, "tmux")]
    public async Task Esc_at_the_keychain_confirmation_cancels_with_130()
    {
        var config = await ConfirmationState();
        var before = TempHome.Fingerprint(_home.Home);
        using var terminal = await Confirmation(config);

        terminal.Press("Escape");

        Assert.Equal(130, await terminal.WaitForExit());
        Assert.Equal("Logout interrupted - nothing was removed", terminal.Screen()[^1]);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }
}
