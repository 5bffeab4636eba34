using System.Runtime.Versioning;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.MacOS;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests.MacOS;

/// <summary>
/// The macOS keychain's process plumbing against a stand-in for /usr/bin/security (a shell script that keeps items as
/// files and records its arguments and stdin), plus one round trip against the real keychain on macOS.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class MacOSKeychainTests : IDisposable
{
    private const string FakeSecurity = """
        #!/bin/sh
        PATH=/usr/bin:/bin
        state='@STATE@'
        printf '%s\n' "$*" >> "$state/calls"
        if [ -e "$state/locked" ]; then
          echo "security: SecKeychainItemCopyContent: User interaction is not allowed." >&2
          exit 36
        fi
        case "$1" in
          find-generic-password)
            for item in "$state/items/$3#"*; do
              if [ -f "$item" ]; then cat "$item"; echo; exit 0; fi
            done
            echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
            exit 44 ;;
          delete-generic-password)
            for item in "$state/items/$3#"*; do
              if [ -f "$item" ]; then rm "$item"; exit 0; fi
            done
            echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
            exit 44 ;;
          dump-keychain)
            if [ -e "$state/dump" ]; then cat "$state/dump"; exit 0; fi
            for item in "$state/items/"*; do
              [ -f "$item" ] || continue
              name=${item##*/}
              printf 'keychain: "/Users/me/Library/Keychains/login.keychain-db"\nversion: 512\nclass: "genp"\nattributes:\n    "acct"<blob>="atmos-auth"\n    "svce"<blob>="%s"\n' "${name%#*}"
            done
            exit 0 ;;
          -i)
            cat > "$state/stdin"; exit 0 ;;
        esac
        echo "unexpected: $*" >&2
        exit 2
        """;

    private readonly string _state = Directory.CreateTempSubdirectory("atmos-fake-security-").FullName;
    private readonly MacOSKeychain _keychain;

    public MacOSKeychainTests()
    {
        Directory.CreateDirectory(Path.Combine(_state, "items"));
        var script = Path.Combine(_state, "security");
        File.WriteAllText(script, FakeSecurity.Replace("@STATE@", _state, StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _keychain = new MacOSKeychain(script);
    }

    [UnixFact]
    public async Task A_few_values_are_read_one_lookup_per_name_and_decoded()
    {
        Item("dev-admin", 1, SecurityTool.Encode("""{"type":"aws","data":{"k":"ü"}}"""));
        Item("aws sso", 1, """{"type":"aws","data":{}}""");

        var secrets = await _keychain.GetManyAsync(["dev-admin", "aws sso", "dev-admin"], CancellationToken.None);
        var missing = await _keychain.GetManyAsync(["missing"], CancellationToken.None);

        Assert.Equal(
            new Dictionary<string, string?> { ["dev-admin"] = """{"type":"aws","data":{"k":"ü"}}""", ["aws sso"] = """{"type":"aws","data":{}}""" },
            secrets);
        Assert.Empty(missing);
        Assert.Equal(
            [
                "find-generic-password -s dev-admin -a atmos-auth -w",
                "find-generic-password -s aws sso -a atmos-auth -w",
                "find-generic-password -s missing -a atmos-auth -w",
            ],
            Calls());
    }

    [UnixFact]
    public async Task Every_key_form_of_a_chain_is_read_with_one_listing_and_one_lookup_per_entry_found()
    {
        Item("atmos_aws-sso", 1, SecurityTool.Encode("""{"type":"aws","data":{"access_key_id":"token"}}"""));
        Item("dev-admin", 1, SecurityTool.Encode("""{"type":"aws","data":{}}"""));
        string[] forms = ["aws-sso", "atmos_aws-sso", "atmos_prod_aws-sso", "dev-admin", "atmos_dev-admin", "atmos_prod_dev-admin"];

        var secrets = await _keychain.GetManyAsync(forms, CancellationToken.None);

        Assert.Equal(
            new Dictionary<string, string?> { ["atmos_aws-sso"] = """{"type":"aws","data":{"access_key_id":"token"}}""", ["dev-admin"] = """{"type":"aws","data":{}}""" },
            secrets);
        Assert.Equal(
            [
                "dump-keychain",
                "find-generic-password -s atmos_aws-sso -a atmos-auth -w",
                "find-generic-password -s dev-admin -a atmos-auth -w",
            ],
            Calls());
    }

    [UnixFact]
    public async Task Remove_deletes_every_duplicate_and_then_reports_not_found()
    {
        Item("dev-admin", 1, "a");
        Item("dev-admin", 2, "b");
        Item("dev-admin", 3, "c");
        Item("other", 1, "kept");

        Assert.True(await _keychain.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(await _keychain.RemoveAsync("dev-admin", CancellationToken.None));

        Assert.Equal(5, Calls().Count);
        Assert.Equal(["other#1"], Directory.GetFiles(Path.Combine(_state, "items")).Select(Path.GetFileName));
    }

    [UnixFact]
    public async Task Set_sends_the_command_through_stdin_never_the_command_line()
    {
        const string secret = """{"type":"aws","data":{"secret":"wJalrXUtnFEMI"}}""";

        await _keychain.SetAsync("dev-admin", secret, CancellationToken.None);

        Assert.Equal(["-i"], Calls());
        Assert.Equal(SecurityTool.AddCommand("dev-admin", secret), await File.ReadAllTextAsync(Path.Combine(_state, "stdin")));
    }

    [UnixFact]
    public async Task List_parses_the_dump()
    {
        await File.WriteAllTextAsync(Path.Combine(_state, "dump"), """
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            class: "genp"
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>="dev-admin"
            """);

        Assert.Equal(["dev-admin"], await _keychain.ListAsync(CancellationToken.None));
        Assert.Equal(["dump-keychain"], Calls());
    }

    [UnixFact]
    public async Task A_locked_keychain_makes_every_operation_unavailable()
    {
        await File.WriteAllTextAsync(Path.Combine(_state, "locked"), string.Empty);
        const string reason = "keyring is locked (macOS keychain: user interaction is not allowed)";

        Assert.Equal(reason, (await Assert.ThrowsAsync<KeyringUnavailableException>(() => _keychain.ListAsync(CancellationToken.None))).Reason);
        Assert.Equal(reason, (await Assert.ThrowsAsync<KeyringUnavailableException>(() => _keychain.GetManyAsync(["a"], CancellationToken.None))).Reason);
        Assert.Equal(reason, (await Assert.ThrowsAsync<KeyringUnavailableException>(() => _keychain.RemoveAsync("a", CancellationToken.None))).Reason);
        Assert.Equal(reason, (await Assert.ThrowsAsync<KeyringUnavailableException>(() => _keychain.SetAsync("a", "{}", CancellationToken.None))).Reason);
    }

    [UnixFact]
    public async Task A_missing_security_tool_is_unavailable()
    {
        var keychain = new MacOSKeychain(Path.Combine(_state, "no-such-tool"));

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keychain.ListAsync(CancellationToken.None));

        Assert.StartsWith($"cannot run {Path.Combine(_state, "no-such-tool")} (", error.Reason, StringComparison.Ordinal);
    }

    [MacOSFact]
    public Task The_real_keychain_round_trips_an_entry() =>
        KeyringConformance.RoundTripAsync(new MacOSKeychain(), "atmos-keyring-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private void Item(string name, int copy, string value) => File.WriteAllText(Path.Combine(_state, "items", $"{name}#{copy}"), value);

    private List<string> Calls()
    {
        var path = Path.Combine(_state, "calls");
        return File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
    }
}
