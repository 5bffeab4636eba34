using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>The keyring keys atmos versions used (REAL-ATMOS §2) and how --all-realms classifies an entry of unknown kind.</summary>
public sealed class KeyFormTests
{
    [Fact]
    public void Without_a_realm_the_v1206_form_comes_before_the_reference_docs()
    {
        Assert.Equal(["atmos_dev-admin", "dev-admin"], KeyringKeys.For("dev-admin", null));
    }

    [Fact]
    public void With_a_realm_the_realm_form_comes_first_then_the_legacy_ones()
    {
        Assert.Equal(["atmos_acme_dev-admin", "atmos_dev-admin", "dev-admin"], KeyringKeys.For("dev-admin", "acme"));
    }

    [Fact]
    public void A_mixed_case_name_is_looked_up_in_lower_case_and_as_written()
    {
        Assert.Equal(
            ["atmos_acme_dev-admin", "atmos_acme_Dev-Admin", "atmos_dev-admin", "atmos_Dev-Admin", "dev-admin", "Dev-Admin"],
            KeyringKeys.For("Dev-Admin", "acme"));
    }

    [Fact]
    public void Names_with_slashes_and_dots_are_keys_as_they_are()
    {
        Assert.Equal(["atmos_core-root/terraform", "core-root/terraform"], KeyringKeys.For("core-root/terraform", null));
    }

    [Theory]
    [InlineData("""{"type":"aws","data":{"access_key_id":"A","secret_access_key":"S","session_token":"T"}}""", StepClass.Session)]
    [InlineData("""{"type":"aws","data":{"access_key_id":"TOKEN","expiration":"2030-01-01T00:00:00Z"}}""", StepClass.Session)]
    [InlineData("""{"type":"aws","data":{"access_key_id":"AKIA","secret_access_key":"S"}}""", StepClass.LongLived)]
    [InlineData("""{"type":"gcp","data":{"access_token":"x"}}""", StepClass.Session)]
    [InlineData("""{"type":"oidc","data":{"token":"x"}}""", StepClass.Session)]
    [InlineData("""{"type":"atmos-pro","data":{"token":"x"}}""", StepClass.Session)]
    [InlineData("""{"type":"mock","data":{}}""", StepClass.Session)]
    [InlineData("""{"type":"azure","data":{}}""", StepClass.Unknown)]
    [InlineData("not json at all", StepClass.Unknown)]
    public void A_foreign_entry_is_classified_from_its_envelope_alone(string value, StepClass expected)
    {
        Assert.Equal(expected, RealmSweep.ClassOf(KeyringEnvelope.Parse("atmos_x", string.Empty, value)));
    }

    [Fact]
    public void Only_atmos_keys_nobody_claims_are_foreign()
    {
        Assert.Equal(
            ["atmos_a", "atmos_team_b"],
            RealmSweep.ForeignKeys(["atmos_team_b", "dev-admin", "atmos_a", "atmos_mine", "atmos_a", "github"], new HashSet<string> { "atmos_mine" }));
    }
}
