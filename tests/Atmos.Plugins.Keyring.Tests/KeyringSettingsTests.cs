using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Keyring.Tests;

/// <summary><c>auth.keyring</c> as atmos.yaml holds it: the file backend's settings live under <c>spec:</c>, as in atmos.</summary>
public sealed class KeyringSettingsTests
{
    [Fact]
    public void The_file_keyring_settings_are_read_from_spec_as_atmos_writes_them()
    {
        var config = AuthConfigLoader.Parse("auth:\n  keyring:\n    type: file\n    spec:\n      path: ~/.atmos/keyring\n      password_env: MY_KEYRING_PASSWORD\n", "atmos.yaml");

        Assert.Empty(config.Problems);
        Assert.Equal(new KeyringSettings("file", KeyringSettings.Default.Timeout, "~/.atmos/keyring", "MY_KEYRING_PASSWORD"), config.Keyring);
    }

    [Fact]
    public void A_bare_path_still_works_and_spec_wins_over_it()
    {
        var bare = AuthConfigLoader.Parse("auth:\n  keyring:\n    type: file\n    path: /bare\n", "atmos.yaml");
        var both = AuthConfigLoader.Parse("auth:\n  keyring:\n    type: file\n    path: /bare\n    spec:\n      path: /spec\n", "atmos.yaml");

        Assert.Equal("/bare", bare.Keyring.FilePath);
        Assert.Equal("/spec", both.Keyring.FilePath);
        Assert.Null(both.Keyring.PasswordEnv);
    }

    [Theory]
    [InlineData("auth:\n  keyring:\n    spec: [a]\n", "auth.keyring.spec must be a mapping")]
    [InlineData("auth:\n  keyring:\n    spec:\n      path: [a]\n", "auth.keyring.spec.path must be a single value")]
    [InlineData("auth:\n  keyring:\n    spec:\n      password_env: {a: b}\n", "auth.keyring.spec.password_env must be a single value")]
    public void A_malformed_spec_is_an_error_with_a_location(string yaml, string expected)
    {
        var error = Assert.Single(AuthConfigLoader.Parse(yaml, "atmos.yaml").Problems);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Location);
    }
}
