using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.MacOS;

namespace Atmos.Plugins.Keyring.Tests.MacOS;

/// <summary>Arguments, result mapping and parsing for /usr/bin/security; pure, so they run on any OS.</summary>
public sealed class SecurityToolTests
{
    private const string NotFound = "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n";

    [Fact]
    public void Lookup_and_delete_arguments_name_the_service_and_our_account()
    {
        Assert.Equal(["find-generic-password", "-s", "dev-admin", "-a", "atmos-auth", "-w"], SecurityTool.FindArguments("dev-admin"));
        Assert.Equal(["delete-generic-password", "-s", "-dash", "-a", "atmos-auth"], SecurityTool.DeleteArguments("-dash"));
        Assert.Equal(["dump-keychain"], SecurityTool.DumpArguments());
        Assert.Equal(["-i"], SecurityTool.InteractiveArguments());
    }

    [Fact]
    public void The_add_command_quotes_every_argument_and_carries_the_value_encoded()
    {
        var line = SecurityTool.AddCommand("we\"ird\\name", """{"k":"v ä"}""");

        Assert.Equal(
            "add-generic-password -U -s \"we\\\"ird\\\\name\" -a \"atmos-auth\" -w \"go-keyring-base64:eyJrIjoidiDDpCJ9\"\n",
            line);
    }

    [Fact]
    public void The_add_command_refuses_line_breaks_in_names_and_values_too_long_for_the_tool()
    {
        var newline = Assert.Throws<KeyringOperationException>(() => SecurityTool.AddCommand("a\nb", "{}"));
        var large = Assert.Throws<KeyringOperationException>(() => SecurityTool.AddCommand("dev-admin", new string('x', 3100)));

        Assert.Equal("entry name contains a line break, which the macOS keychain tool cannot take", newline.Reason);
        Assert.Equal("value of 'dev-admin' is too large for the macOS keychain tool (its command line holds at most 4 KB)", large.Reason);
        Assert.DoesNotContain("xxxx", large.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("\n", SecurityTool.AddCommand("dev-admin", new string('x', 2900)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("go-keyring-base64:eyJrIjoidiDDpCJ9\n", """{"k":"v ä"}""")]
    [InlineData("go-keyring-encoded:7b7d\n", "{}")]
    [InlineData("{\"type\":\"aws\"}\n", "{\"type\":\"aws\"}")]
    [InlineData("c3a4\n", "ä")]
    [InlineData("6c696e65310a6c696e6532\n", "line1\nline2")]
    [InlineData("deadbeef\n", "deadbeef")]
    [InlineData("plain", "plain")]
    [InlineData("two newlines\n\n", "two newlines\n")]
    public void Printed_passwords_are_decoded(string printed, string expected) => Assert.Equal(expected, SecurityTool.DecodePassword(printed));

    [Fact]
    public void Written_values_decode_back_exactly()
    {
        const string value = "{\"type\":\"oidc\",\"data\":{\"t\":\"a\\\\b \\\"q\\\" ü 🔑\\n\"}}";

        Assert.Equal(value, SecurityTool.DecodePassword(SecurityTool.Encode(value) + "\n"));
    }

    [Fact]
    public void Dump_output_yields_the_services_of_our_generic_passwords_only()
    {
        const string dump = """
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                0x00000007 <blob>="atmos-auth: dev-admin"
                0x00000008 <blob>=<NULL>
                "acct"<blob>="atmos-auth"
                "cdat"<timedate>=0x32303236303130313132303030305A00  "20260101120000Z\000"
                "svce"<blob>="dev-admin"
                "type"<uint32>=<NULL>
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                "acct"<blob>="someone-else"
                "svce"<blob>="not-ours"
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "inet"
            attributes:
                "acct"<blob>="atmos-auth"
                "srvr"<blob>="example.com"
                "svce"<blob>="internet-item"
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>=0x70726F64C3BC  "prod\303\274"
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>="with "quotes" inside"
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>=<NULL>
            keychain: "/Library/Keychains/System.keychain"
            version: 512
            class: 0x80001000 
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>="a-key-not-a-password"
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                "acct"<blob>="atmos-auth"
                "svce"<blob>="aws-sso"
            """;

        Assert.Equal(["aws-sso", "dev-admin", "prodü", "with \"quotes\" inside"], SecurityTool.ParseDump(dump));
    }

    [Theory]
    [InlineData("dev-admin")]
    [InlineData("atmos_dev-admin")]
    [InlineData("atmos_prod_dev-admin")]
    [InlineData("atmos_core-root/terraform")]
    public void Every_key_form_is_the_service_of_a_generic_password_of_our_account_as_go_keyring_stores_it(string key)
    {
        // go-keyring's Set: add-generic-password -U -s <key> -a atmos-auth -w go-keyring-base64:<value>, no label, so
        // the keychain labels the item with the service.
        var dump = $"""
            keychain: "/Users/me/Library/Keychains/login.keychain-db"
            version: 512
            class: "genp"
            attributes:
                0x00000007 <blob>="{key}"
                "acct"<blob>="atmos-auth"
                "svce"<blob>="{key}"
            """;

        Assert.Equal([key], SecurityTool.ParseDump(dump));
        Assert.Equal(["find-generic-password", "-s", key, "-a", "atmos-auth", "-w"], SecurityTool.FindArguments(key));
        Assert.Equal(["delete-generic-password", "-s", key, "-a", "atmos-auth"], SecurityTool.DeleteArguments(key));
        Assert.StartsWith($"add-generic-password -U -s \"{key}\" -a \"atmos-auth\" -w \"go-keyring-base64:", SecurityTool.AddCommand(key, "{}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Success_and_not_found_are_answers()
    {
        Assert.True(SecurityTool.Check(new ProcessResult(0, "secret\n", string.Empty)));
        Assert.False(SecurityTool.Check(new ProcessResult(44, string.Empty, NotFound)));
        Assert.False(SecurityTool.Check(new ProcessResult(1, string.Empty, NotFound)));
    }

    [Theory]
    [InlineData(36, "security: SecKeychainItemCopyContent: User interaction is not allowed.", "keyring is locked (macOS keychain: user interaction is not allowed)")]
    [InlineData(0, "security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.\nadd-generic-password: returned -25308", "keyring is locked (macOS keychain: user interaction is not allowed)")]
    [InlineData(51, "security: The user name or passphrase you entered is not correct.", "keyring is locked (macOS keychain: authentication failed)")]
    [InlineData(50, "security: SecKeychainCopyDefault: The specified keychain could not be found.", "no default macOS keychain")]
    [InlineData(37, "security: A default keychain could not be found.", "no default macOS keychain")]
    public void A_locked_or_missing_keychain_is_unavailable(int exitCode, string stderr, string reason)
    {
        var error = Assert.Throws<KeyringUnavailableException>(() => SecurityTool.Check(new ProcessResult(exitCode, string.Empty, stderr)));

        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Other_failures_are_operation_errors_with_the_first_line_and_never_the_secret()
    {
        var cancelled = Assert.Throws<KeyringOperationException>(() => SecurityTool.Check(new ProcessResult(128, string.Empty, "security: User canceled the operation.")));
        var other = Assert.Throws<KeyringOperationException>(() => SecurityTool.Check(
            new ProcessResult(1, string.Empty, "security: bad value go-keyring-base64:c2VjcmV0 s3cr3t\nmore detail\n"),
            "go-keyring-base64:c2VjcmV0",
            "s3cr3t"));

        Assert.Equal("access to the keychain item was denied (the prompt was cancelled)", cancelled.Reason);
        Assert.Equal("security exited with code 1: security: bad value *** ***", other.Reason);
    }
}
