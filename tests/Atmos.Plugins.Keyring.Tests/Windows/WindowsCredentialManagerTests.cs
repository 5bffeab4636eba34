using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Windows;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests.Windows;

/// <summary>Target names and error mapping of the Windows Credential Manager keyring (any OS), and real calls on Windows.</summary>
public sealed class WindowsCredentialManagerTests
{
    [Theory]
    [InlineData("dev-admin", "dev-admin:atmos-auth")]
    [InlineData("a:b", "a:b:atmos-auth")]
    [InlineData("ünï cödé", "ünï cödé:atmos-auth")]
    [InlineData("atmos_dev-admin", "atmos_dev-admin:atmos-auth")] // go-keyring's credName(service, user): service + ":" + user
    [InlineData("atmos_prod_dev-admin", "atmos_prod_dev-admin:atmos-auth")]
    [InlineData("atmos_core-root/terraform", "atmos_core-root/terraform:atmos-auth")]
    public void Entry_names_map_to_target_names_and_back(string name, string target)
    {
        Assert.Equal(target, CredentialTargets.Target(name));
        Assert.Equal(name, CredentialTargets.TryParseTarget(target));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(":atmos-auth")]
    [InlineData("dev-admin:someone-else")]
    [InlineData("git:https://github.com")]
    [InlineData("dev-admin:ATMOS-AUTH")]
    [InlineData("atmos-auth")]
    public void Other_credentials_are_not_entries(string? target) => Assert.Null(CredentialTargets.TryParseTarget(target));

    [Theory]
    [InlineData("atmos_dev-admin", "atmos_dev-admin:atmos-auth", true)]
    [InlineData("atmos_Dev-Admin", "atmos_dev-admin:atmos-auth", false)] // Credential Manager finds it; it is another name's
    [InlineData("atmos_dev-admin", "ATMOS_DEV-ADMIN:atmos-auth", false)]
    [InlineData("atmos_dev-admin", "atmos_dev-admin:ATMOS-AUTH", false)]
    [InlineData("atmos_dev-admin", null, false)]
    public void A_credential_found_for_a_name_is_that_entry_only_when_the_target_matches_exactly(string name, string? target, bool expected) =>
        Assert.Equal(expected, CredentialTargets.IsExactly(name, target));

    [Fact]
    public void A_missing_logon_session_is_unavailable()
    {
        var error = Assert.IsType<KeyringUnavailableException>(CredentialTargets.Map(CredentialTargets.ErrorNoSuchLogonSession));

        Assert.Equal("Windows Credential Manager is not available in this logon session", error.Reason);
    }

    [Fact]
    public void Access_denied_and_other_errors_fail_the_operation_with_the_code()
    {
        var denied = Assert.IsType<KeyringOperationException>(CredentialTargets.Map(CredentialTargets.ErrorAccessDenied));
        var other = Assert.IsType<KeyringOperationException>(CredentialTargets.Map(CredentialTargets.ErrorBadUsername));

        Assert.Equal("access denied by Windows Credential Manager", denied.Reason);
        Assert.StartsWith("Windows Credential Manager error 2202: ", other.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_larger_than_a_credential_blob_are_refused_before_any_call()
    {
        CredentialTargets.CheckSize("dev-admin", 2560);

        var error = Assert.Throws<KeyringOperationException>(() => CredentialTargets.CheckSize("dev-admin", 2561));

        Assert.Equal("value of 'dev-admin' is too large for Windows Credential Manager (2561 bytes, at most 2560)", error.Reason);
    }

    [Fact]
    public void The_credential_struct_has_the_native_layout()
    {
        // CREDENTIALW: 80 bytes on 64-bit, 52 on 32-bit.
        Assert.Equal(IntPtr.Size == 8 ? 80 : 52, Marshal.SizeOf<Advapi32.Credential>());
        Assert.Equal(IntPtr.Size == 8 ? 72 : 48, (int)Marshal.OffsetOf<Advapi32.Credential>(nameof(Advapi32.Credential.UserName)));
    }

    [WindowsFact]
    [SupportedOSPlatform("windows")]
    public Task The_real_credential_manager_round_trips_an_entry() =>
        KeyringConformance.RoundTripAsync(new WindowsCredentialManager(), "atmos-keyring-test-" + Guid.NewGuid().ToString("N"));
}
