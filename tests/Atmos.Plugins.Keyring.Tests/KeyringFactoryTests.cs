using System.Diagnostics;
using System.Net.Sockets;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests;

/// <summary>How the backend is chosen and bounded.</summary>
public sealed class KeyringFactoryTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("atmos-factory-").FullName;

    private string DataHome => Path.Combine(_home, ".local", "share");

    [Fact]
    public async Task The_environment_overrides_the_configured_type()
    {
        var environment = new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = " File ", ["ATMOS_KEYRING_PASSWORD"] = "pw" };

        // A generous limit: creating a file keyring derives its key (PBKDF2), slow on a loaded machine, and the limit is not what this checks.
        var keyring = KeyringFactory.Create(KeyringSettings.Default with { Timeout = TimeSpan.FromSeconds(30) }, environment, _home);
        await keyring.SetAsync("dev-admin", "{}", CancellationToken.None);

        Assert.IsType<BoundedKeyring>(keyring);
        Assert.Equal("file", keyring.Backend);
        Assert.True(File.Exists(Path.Combine(DataHome, "atmos", "keyring", "keyring.json")));
    }

    [Fact]
    public async Task The_file_keyring_uses_the_configured_folder_and_the_password_from_the_environment()
    {
        var folder = Path.Combine(_home, "elsewhere");
        var settings = new KeyringSettings("file", TimeSpan.FromSeconds(30), folder);

        var keyring = KeyringFactory.Create(settings, new Dictionary<string, string> { ["ATMOS_KEYRING_PASSWORD"] = "pw" }, _home);
        await keyring.SetAsync("dev-admin", "{}", CancellationToken.None);
        var withoutPassword = KeyringFactory.Create(settings, new Dictionary<string, string>(), _home);

        Assert.True(File.Exists(Path.Combine(folder, "keyring.json")));
        Assert.False(Directory.Exists(Path.Combine(DataHome, "atmos")));
        Assert.Equal(["dev-admin"], await withoutPassword.ListAsync(CancellationToken.None));
        Assert.Equal(new Dictionary<string, string?> { ["dev-admin"] = null }, await withoutPassword.GetManyAsync(["dev-admin"], CancellationToken.None));
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => withoutPassword.SetAsync("aws-sso", "{}", CancellationToken.None));
        Assert.Equal("no keyring password (ATMOS_KEYRING_PASSWORD is not set)", error.Reason);
    }

    [Theory]
    [InlineData(null, null, "DATA/atmos/keyring")]
    [InlineData("/from/config", null, "/from/config")]
    [InlineData("/from/config", "/from/environment", "/from/environment")]
    [InlineData(null, "~/.atmos/keyring", "HOME/.atmos/keyring")]
    [InlineData("~", null, "HOME")]
    [InlineData("~/.atmos/keyring.db", null, "HOME/.atmos")] // a file path means its folder, as atmos reads it
    [InlineData("~/.atmos-keyring", null, "HOME")] // Go's filepath.Ext(".atmos-keyring") is not empty either
    [InlineData("/from/config/", null, "/from/config/")]
    public void The_file_keyring_folder_is_found_as_atmos_finds_it(string? configured, string? variable, string expected)
    {
        var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = "/not/used", ["ATMOS_XDG_DATA_HOME"] = "/data" };
        if (variable is not null)
        {
            environment["ATMOS_KEYRING_FILE_PATH"] = variable;
        }

        var keyring = KeyringFactory.CreateFile(new KeyringSettings("file", TimeSpan.FromSeconds(1), configured), environment, _home);

        Assert.Equal(Path.GetFullPath(expected.Replace("DATA", "/data", StringComparison.Ordinal).Replace("HOME", _home, StringComparison.Ordinal)), keyring.Folder);
    }

    [Fact]
    public void The_default_folder_follows_xdg_data_home_then_home()
    {
        Assert.Equal(Path.Combine(_home, ".local", "share", "atmos", "keyring"), KeyringFactory.CreateFile(KeyringSettings.Default, new Dictionary<string, string>(), _home).Folder);
        Assert.Equal("/xdg/atmos/keyring", KeyringFactory.CreateFile(KeyringSettings.Default, new Dictionary<string, string> { ["XDG_DATA_HOME"] = "/xdg" }, _home).Folder);
        var noHome = Assert.Throws<ArgumentException>(() => KeyringFactory.CreateFile(KeyringSettings.Default, new Dictionary<string, string>(), string.Empty));
        Assert.StartsWith("the file keyring needs a data folder: set XDG_DATA_HOME or HOME", noHome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "ATMOS_KEYRING_PASSWORD")]
    [InlineData("FROM_CONFIG", null, "FROM_CONFIG")]
    [InlineData("FROM_CONFIG", "FROM_ENVIRONMENT", "FROM_ENVIRONMENT")]
    [InlineData(null, "FROM_ENVIRONMENT", "FROM_ENVIRONMENT")]
    public async Task The_password_is_read_from_the_variable_atmos_reads_it_from(string? configured, string? variable, string expected)
    {
        var folder = Path.Combine(_home, "keyring");
        await new Atmos.Plugins.Engine.Keyring.Files.FileKeyring(folder, "the password").SetAsync("dev-admin", "{\"type\":\"aws\",\"data\":{}}", CancellationToken.None);
        var environment = new Dictionary<string, string>
        {
            ["ATMOS_KEYRING_PASSWORD"] = "wrong",
            ["FROM_CONFIG"] = "wrong",
            ["FROM_ENVIRONMENT"] = "wrong",
            [expected] = "the password",
        };
        if (variable is not null)
        {
            environment["ATMOS_KEYRING_PASSWORD_ENV"] = variable;
        }

        var keyring = KeyringFactory.CreateFile(new KeyringSettings("file", TimeSpan.FromSeconds(1), folder, configured), environment, _home);

        Assert.Equal(expected, keyring.PasswordSource);
        Assert.NotNull((await keyring.GetManyAsync(["dev-admin"], CancellationToken.None))["dev-admin"]);
    }

    [Fact]
    public async Task Memory_is_a_keyring_of_its_own()
    {
        var keyring = KeyringFactory.Create(new KeyringSettings("memory", TimeSpan.FromSeconds(1), null), new Dictionary<string, string>(), _home);
        await keyring.SetAsync("a", "1", CancellationToken.None);

        Assert.Equal("memory", keyring.Backend);
        Assert.IsType<MemoryKeyring>(keyring); // in-process: nothing to bound
        Assert.Equal(["a"], await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public void An_empty_override_leaves_the_configured_type()
    {
        var environment = new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = "  " };

        var keyring = KeyringFactory.Create(new KeyringSettings("memory", TimeSpan.FromSeconds(1), null), environment, _home);

        Assert.Equal("memory", keyring.Backend);
    }

    [Fact]
    public void An_unknown_type_lists_the_types_that_work_here_and_names_where_it_came_from()
    {
        var fromConfig = Assert.Throws<ArgumentException>(() => KeyringFactory.Create(new KeyringSettings("kwallet", TimeSpan.FromSeconds(1), null), new Dictionary<string, string>(), _home));
        var fromEnvironment = Assert.Throws<ArgumentException>(() => KeyringFactory.Create(KeyringSettings.Default, new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = "Pass" }, _home));

        Assert.StartsWith("unknown keyring type 'kwallet' (auth.keyring.type); types that work on this OS: system, file, memory", fromConfig.Message, StringComparison.Ordinal);
        Assert.StartsWith("unknown keyring type 'Pass' (ATMOS_KEYRING_TYPE); types that work on this OS: system, file, memory", fromEnvironment.Message, StringComparison.Ordinal);
        Assert.Equal(["system", "file", "memory"], KeyringFactory.AvailableTypes);
    }

    [LinuxFact]
    public async Task System_on_linux_is_the_secret_service_on_the_bus_named_by_the_given_environment()
    {
        var keyring = KeyringFactory.Create(KeyringSettings.Default, new Dictionary<string, string>(), _home);

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));

        Assert.Equal("secret-service", keyring.Backend);
        Assert.Equal("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)", error.Reason);
    }

    [LinuxFact]
    public async Task The_configured_timeout_bounds_a_bus_that_never_answers()
    {
        // A socket that accepts connections and never says a word: the D-Bus handshake waits forever.
        var path = Path.Combine(_home, "silent.sock");
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(path));
        silent.Listen();
        var settings = new KeyringSettings("system", TimeSpan.FromMilliseconds(300), null);
        var keyring = KeyringFactory.Create(settings, new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + path }, _home);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.GetManyAsync(["dev-admin"], CancellationToken.None));

        Assert.Equal("keyring did not answer within 0.3 s", error.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
