using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>The --keychain confirmation and the picker, driven through the interaction port with scripted answers.</summary>
public sealed class ConfirmationTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;
    private readonly string _config;

    public ConfirmationTests()
    {
        _cli = new CliRun(_home);
        _config = AwsTree.Seed(_home);
        AwsTree.SeedKeyring(_cli.Keyring).GetAwaiter().GetResult();
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Declining_the_keychain_confirmation_preserves_everything_and_exits_0()
    {
        var prompts = new ScriptedInteraction { Confirmation = false };
        _cli.Interaction = prompts;
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "ci-deployer", "--keychain", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Logout cancelled - credentials preserved", result.Lines[^1]);
        Assert.Equal("ci-deployer", prompts.ConfirmedSubject);
        Assert.Equal(["Keyring: ci-user"], prompts.ConfirmedEntries!);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
        Assert.Equal(6, (await _cli.Keyring.ListAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Accepting_the_confirmation_deletes_the_keychain_credential_too()
    {
        _cli.Interaction = new ScriptedInteraction { Confirmation = true };

        var result = await _cli.RunAsync("auth", "logout", "ci-deployer", "--keychain", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Keyring: ci-user", result.Lines);
        Assert.DoesNotContain("ci-user", await _cli.Keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Interrupting_the_confirmation_exits_130_and_removes_nothing()
    {
        _cli.Interaction = new ScriptedInteraction { Confirmation = null };
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "--all", "--keychain", "--config", _config);

        Assert.Equal(130, result.ExitCode);
        Assert.Equal("Logout interrupted - nothing was removed", result.Lines[^1]);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task Force_skips_the_prompt()
    {
        var prompts = new ScriptedInteraction { Confirmation = false };
        _cli.Interaction = prompts;

        var result = await _cli.RunAsync("auth", "logout", "ci-deployer", "--keychain", "--force", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Null(prompts.ConfirmedSubject);
        Assert.DoesNotContain("ci-user", await _cli.Keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_picker_offers_identities_then_providers_then_all_and_logs_out_the_choice()
    {
        var prompts = new ScriptedInteraction { Pick = choices => choices.Single(c => c.Label == "Identity: dev-admin") };
        _cli.Interaction = prompts;

        var result = await _cli.RunAsync("auth", "logout", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "Identity: backup-admin", "Identity: backup-reader", "Identity: ci-deployer", "Identity: ci-user", "Identity: dev-admin",
                "Identity: dev-org-admin", "Identity: dev-readonly", "Identity: okta-analyst", "Identity: prod-admin", "Identity: staging-admin",
                "Provider: aws-sso (removes all identities)", "Provider: backup-provider (removes all identities)", "Provider: saml-okta (removes all identities)",
                "All identities (complete logout)", "All realms (everything atmos left on this machine)",
            ],
            prompts.Offered!.Select(c => c.Label));
        Assert.Equal("Logging out from identity: dev-admin", result.Lines[0]);
        Assert.DoesNotContain("dev-admin", await _cli.Keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Identity_flag_without_a_value_opens_the_picker_and_esc_exits_130()
    {
        _cli.Interaction = new ScriptedInteraction { Pick = _ => null };
        var before = TempHome.Fingerprint(_home.Home);

        var result = await _cli.RunAsync("auth", "logout", "--identity", "--config", _config);

        Assert.Equal(130, result.ExitCode);
        Assert.Equal(["Logout interrupted - nothing was removed"], result.Lines);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public async Task A_name_matching_two_identities_case_insensitively_is_ambiguous()
    {
        var config = _home.Write("ambiguous.yaml", "auth:\n  identities:\n    Ci-User: { kind: aws/user }\n    ci-USER: { kind: aws/user }\n");

        var result = await _cli.RunAsync("auth", "logout", "ci-user", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("~/ambiguous.yaml:4:5: warning: identity names 'Ci-User' and 'ci-USER' differ only in case", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal("Error: identity \"ci-user\" is ambiguous: it matches Ci-User, ci-USER when case is ignored", result.Lines[1]);
    }

    private sealed class ScriptedInteraction : IUserInteraction
    {
        public Func<IReadOnlyList<PickChoice>, PickChoice?> Pick { get; init; } = _ => null;

        public bool? Confirmation { get; init; }

        public IReadOnlyList<PickChoice>? Offered { get; private set; }

        public string? ConfirmedSubject { get; private set; }

        public IReadOnlyList<string>? ConfirmedEntries { get; private set; }

        public bool CanPrompt => true;

        public Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken)
        {
            Offered = choices;
            return Task.FromResult(Pick(choices));
        }

        public Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken)
        {
            ConfirmedSubject = subject;
            ConfirmedEntries = entries;
            return Task.FromResult(Confirmation);
        }
    }
}
