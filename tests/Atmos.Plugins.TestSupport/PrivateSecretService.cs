using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Tests.Support;

/// <summary>How the private Secret Service is prepared before a test gets it.</summary>
public enum SecretServiceState
{
    /// <summary>gnome-keyring-daemon --unlock: a fresh, unlocked login collection.</summary>
    Unlocked,

    /// <summary>gnome-keyring-daemon without --unlock: no login collection, so the default alias points nowhere.</summary>
    NoLoginCollection,

    /// <summary>Unlocked, then locked again with org.freedesktop.Secret.Service.Lock.</summary>
    Locked,

    /// <summary>A session bus on which nothing provides org.freedesktop.secrets.</summary>
    NoService,

    /// <summary>
    /// Unlocked, with the <c>default</c> alias pointing at another collection (<c>other</c>, an unencrypted keyring file
    /// made before the daemon starts) than <c>login</c>, where go-keyring stores items whenever it exists.
    /// </summary>
    DefaultIsNotLogin,
}

/// <summary>
/// A private session bus with its own gnome-keyring-daemon, under a temporary HOME and XDG folders, so tests never
/// touch a real keyring. The bus configuration has no service folders: nothing is auto-started on it, not even a
/// password prompter, so a test that would prompt fails instead of waiting for a window.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class PrivateSecretService : IAsyncDisposable
{
    private const string BusConfig = """
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:tmpdir=/tmp</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """;

    // Starts the daemon in the foreground (it stays in this process tree), waits until it owns its bus name, then
    // prints the bus address and the daemon's pid and waits to be killed.
    private const string Script = """
        set -e
        if [ "$ATMOS_TEST_STATE" = NoLoginCollection ]; then
          gnome-keyring-daemon --foreground --components=secrets >/dev/null 2>&1 &
          daemon=$!
        elif [ "$ATMOS_TEST_STATE" = NoService ]; then
          daemon=0
        else
          printf '%s' "$ATMOS_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
          daemon=$!
        fi
        if [ "$daemon" != 0 ]; then
          i=0
          until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
            i=$((i+1))
            if [ $i -gt 1000 ]; then echo "gnome-keyring-daemon did not register on the bus" >&2; exit 1; fi
            sleep 0.01
          done
        fi
        if [ "$ATMOS_TEST_STATE" = Locked ]; then
          dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
            org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null
        fi
        echo "$DBUS_SESSION_BUS_ADDRESS"
        echo "$daemon"
        exec sleep 100000
        """;

    private readonly Process _process;
    private readonly string _root;

    private PrivateSecretService(Process process, string root, string address, int daemonPid)
    {
        _process = process;
        _root = root;
        Address = address;
        DaemonPid = daemonPid;
    }

    /// <summary>The private bus address, to pass to <c>SecretServiceKeyring</c>.</summary>
    public string Address { get; }

    /// <summary>The pid of gnome-keyring-daemon (0 for <see cref="SecretServiceState.NoService"/>).</summary>
    public int DaemonPid { get; }

    /// <summary>Starts a private bus and Secret Service in <paramref name="state"/>.</summary>
    public static async Task<PrivateSecretService> StartAsync(SecretServiceState state = SecretServiceState.Unlocked)
    {
        var root = Directory.CreateTempSubdirectory("atmos-keyring-test-").FullName;
        var config = Path.Combine(root, "bus.conf");
        await File.WriteAllTextAsync(config, BusConfig);
        var start = new ProcessStartInfo("dbus-run-session")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--config-file=" + config, "--", "sh", "-c", Script },
        };
        foreach (var name in new[] { "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK" })
        {
            start.Environment.Remove(name);
        }

        var runtime = Path.Combine(root, "run");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        start.Environment["HOME"] = root;
        start.Environment["XDG_DATA_HOME"] = Path.Combine(root, "data");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(root, "config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(root, "cache");
        start.Environment["XDG_RUNTIME_DIR"] = runtime;
        start.Environment["ATMOS_TEST_STATE"] = state.ToString();
        if (state == SecretServiceState.DefaultIsNotLogin)
        {
            // gnome-keyring reads keyrings from $XDG_DATA_HOME/keyrings; "default" names the collection the default
            // alias points to. A keyring file in this plain form has no password and opens unlocked.
            var keyrings = Path.Combine(root, "data", "keyrings");
            Directory.CreateDirectory(keyrings);
            await File.WriteAllTextAsync(Path.Combine(keyrings, "other.keyring"), "[keyring]\ndisplay-name=Other\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n");
            await File.WriteAllTextAsync(Path.Combine(keyrings, "default"), "other");
        }

        start.Environment["ATMOS_TEST_KEYRING_PASSWORD"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dbus-run-session");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var address = await process.StandardOutput.ReadLineAsync(timeout.Token);
            var pid = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (string.IsNullOrEmpty(address) || !int.TryParse(pid, out var daemonPid))
            {
                throw new InvalidOperationException($"private Secret Service did not start: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
            }

            return new PrivateSecretService(process, root, address, daemonPid);
        }
        catch
        {
            Stop(process);
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>Runs <c>secret-tool</c> against this bus.</summary>
    /// <param name="standardInput">Text for stdin (the secret for <c>store</c>), or null.</param>
    /// <param name="arguments">The arguments.</param>
    public Task<ProcessResult> SecretToolAsync(string? standardInput, params string[] arguments) => RunOnBusAsync("secret-tool", standardInput, arguments);

    /// <summary>Runs a program with this bus as its session bus.</summary>
    /// <param name="program">The program.</param>
    /// <param name="standardInput">Text for stdin, or null.</param>
    /// <param name="arguments">The arguments.</param>
    public async Task<ProcessResult> RunOnBusAsync(string program, string? standardInput, params string[] arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = Address;
        start.Environment["HOME"] = _root;
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await ExternalProcess.RunAsync(start, standardInput, timeout.Token);
    }

    /// <summary>Stops the daemon (SIGSTOP) so that calls to it hang: the bus still accepts them, nobody answers.</summary>
    public async Task FreezeDaemonAsync()
    {
        var result = await ExternalProcess.RunAsync(new ProcessStartInfo("kill", ["-STOP", DaemonPid.ToString(System.Globalization.CultureInfo.InvariantCulture)]), null, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -STOP failed: {result.StandardError}");
        }
    }

    /// <summary>Kills the bus, the daemon and everything else started for this instance, and deletes its folders.</summary>
    public ValueTask DisposeAsync()
    {
        Stop(_process);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A daemon may still be writing its last file; the temp folder is cleaned up by the system.
        }

        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
