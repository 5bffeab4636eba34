using System.Diagnostics;
using System.Net.Sockets;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests;

/// <summary>How the backend is chosen and bounded.</summary>
public sealed class KeyringFactoryTests : IDisposable
{
    private readonly string _dataHome = Directory.CreateTempSubdirectory("atmos-factory-").FullName;

    [Fact]
    public async Task The_environment_overrides_the_configured_type()
    {
        var environment = new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = " File ", ["ATMOS_KEYRING_PASSWORD"] = "pw" };

        var keyring = KeyringFactory.Create(KeyringSettings.Default, environment, _dataHome);
        await keyring.SetAsync("dev-admin", "{}", CancellationToken.None);

        Assert.IsType<BoundedKeyring>(keyring);
        Assert.Equal("file", keyring.Backend);
        Assert.True(File.Exists(Path.Combine(_dataHome, "atmos", "keyring", "keyring.json")));
    }

    [Fact]
    public async Task The_file_keyring_uses_the_configured_folder_and_the_password_from_the_environment()
    {
        var folder = Path.Combine(_dataHome, "elsewhere");
        var settings = new KeyringSettings("file", TimeSpan.FromSeconds(3), folder);

        var keyring = KeyringFactory.Create(settings, new Dictionary<string, string> { ["ATMOS_KEYRING_PASSWORD"] = "pw" }, _dataHome);
        await keyring.SetAsync("dev-admin", "{}", CancellationToken.None);
        var withoutPassword = KeyringFactory.Create(settings, new Dictionary<string, string>(), _dataHome);

        Assert.True(File.Exists(Path.Combine(folder, "keyring.json")));
        Assert.False(Directory.Exists(Path.Combine(_dataHome, "atmos")));
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => withoutPassword.ListAsync(CancellationToken.None));
        Assert.Equal("no keyring password (ATMOS_KEYRING_PASSWORD is not set)", error.Reason);
    }

    [Fact]
    public async Task Memory_is_a_keyring_of_its_own()
    {
        var keyring = KeyringFactory.Create(new KeyringSettings("memory", TimeSpan.FromSeconds(1), null), new Dictionary<string, string>(), _dataHome);
        await keyring.SetAsync("a", "1", CancellationToken.None);

        Assert.Equal("memory", keyring.Backend);
        Assert.IsType<MemoryKeyring>(keyring); // in-process: nothing to bound
        Assert.Equal(["a"], await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public void An_empty_override_leaves_the_configured_type()
    {
        var environment = new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = "  " };

        var keyring = KeyringFactory.Create(new KeyringSettings("memory", TimeSpan.FromSeconds(1), null), environment, _dataHome);

        Assert.Equal("memory", keyring.Backend);
    }

    [Fact]
    public void An_unknown_type_lists_the_types_that_work_here_and_names_where_it_came_from()
    {
        var fromConfig = Assert.Throws<ArgumentException>(() => KeyringFactory.Create(new KeyringSettings("kwallet", TimeSpan.FromSeconds(1), null), new Dictionary<string, string>(), _dataHome));
        var fromEnvironment = Assert.Throws<ArgumentException>(() => KeyringFactory.Create(KeyringSettings.Default, new Dictionary<string, string> { ["ATMOS_KEYRING_TYPE"] = "Pass" }, _dataHome));

        Assert.StartsWith("unknown keyring type 'kwallet' (auth.keyring.type); types that work on this OS: system, file, memory", fromConfig.Message, StringComparison.Ordinal);
        Assert.StartsWith("unknown keyring type 'Pass' (ATMOS_KEYRING_TYPE); types that work on this OS: system, file, memory", fromEnvironment.Message, StringComparison.Ordinal);
        Assert.Equal(["system", "file", "memory"], KeyringFactory.AvailableTypes);
    }

    [LinuxFact]
    public async Task System_on_linux_is_the_secret_service_on_the_bus_named_by_the_given_environment()
    {
        var keyring = KeyringFactory.Create(KeyringSettings.Default, new Dictionary<string, string>(), _dataHome);

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));

        Assert.Equal("secret-service", keyring.Backend);
        Assert.Equal("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)", error.Reason);
    }

    [LinuxFact]
    public async Task The_configured_timeout_bounds_a_bus_that_never_answers()
    {
        // A socket that accepts connections and never says a word: the D-Bus handshake waits forever.
        var path = Path.Combine(_dataHome, "silent.sock");
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(path));
        silent.Listen();
        var settings = new KeyringSettings("system", TimeSpan.FromMilliseconds(300), null);
        var keyring = KeyringFactory.Create(settings, new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + path }, _dataHome);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.GetManyAsync(["dev-admin"], CancellationToken.None));

        Assert.Equal("keyring did not answer within 0.3 s", error.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    public void Dispose() => Directory.Delete(_dataHome, recursive: true);
}
