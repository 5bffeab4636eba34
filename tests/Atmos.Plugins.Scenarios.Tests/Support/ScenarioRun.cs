using System.Diagnostics;
using System.Reflection;
using System.Text;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Host.Cli;
using Atmos.Plugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Atmos.Plugins.Scenarios.Tests.Support;

/// <summary>What the CLI did: exit code and both streams.</summary>
public sealed record CliOutcome(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// One scenario set up for real in a temp HOME: its files, links and keyring, its injected failures, the in-process
/// `atmos` with the fixed clock, the built host's plugins (plus a scenario's extra plugins). Disposing undoes the
/// injections and removes everything.
/// </summary>
public sealed class ScenarioRun : IAsyncDisposable
{
    private readonly List<FileLock> _heldLocks = [];
    private readonly List<string> _immutable = [];
    private readonly List<(string Path, UnixFileMode Mode)> _narrowed = [];
    private PrivateSecretService? _secretService;
    private IKeyring? _keyring;

    private ScenarioRun(Scenario scenario)
    {
        Scenario = scenario;
        Root = Directory.CreateTempSubdirectory("atmos-scenario-").FullName;
        Home = Path.Join(Root, "home");
        Directory.CreateDirectory(Path.Join(Home, "project"));
        Directory.CreateDirectory(Path.Join(Home, scenario.WorkingDirectory));
    }

    public Scenario Scenario { get; }

    /// <summary>The temp folder (HOME lives inside; a scenario's plugin manifest sits beside it).</summary>
    public string Root { get; }

    public string Home { get; }

    /// <summary>Where the run's audit trail is: the default location.</summary>
    public string AuditPath => Path.Join(Home, ".local", "state", "atmos", "audit.jsonl");

    /// <summary>The faulty test plugin's assembly.</summary>
    public static string FaultyPlugin => Metadata("FaultyPlugin");

    public static async Task<ScenarioRun> PrepareAsync(Scenario scenario)
    {
        var run = new ScenarioRun(scenario);
        try
        {
            await run.SeedAsync();
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the scenario's command with its injected failures in place.</summary>
    public async Task<CliOutcome> RunAsync()
    {
        Inject();
        try
        {
            return await CliAsync(Scenario.Command, Variables(), Scenario.Terminal is null ? NonInteractive.Instance : new ScriptedTerminal(Scenario.Terminal), _keyring);
        }
        finally
        {
            Restore();
        }
    }

    /// <summary>The names of the keyring entries there now (user atmos-auth), sorted: the scenario's <c>expect.keyring</c>.</summary>
    public async Task<IReadOnlyList<string>> KeyringLeftAsync()
    {
        switch (Scenario.Keyring)
        {
            case KeyringBackend.Memory:
                return (await _keyring!.ListAsync(CancellationToken.None)).Order(StringComparer.Ordinal).ToList();
            case KeyringBackend.File:
                var password = Scenario.Environment.GetValueOrDefault(FileKeyring.PasswordVariable) ?? string.Empty;
                return (await new FileKeyring(Path.Join(Home, ".local", "share", "atmos", "keyring"), password).ListAsync(CancellationToken.None)).Order(StringComparer.Ordinal).ToList();
            case KeyringBackend.SecretService when OperatingSystem.IsLinux():
                // As another client sees them: secret-tool lists every item with the attributes.
                var search = await _secretService!.SecretToolAsync(null, "search", "--all", "--unlock", "username", IKeyring.User);
                return (search.StandardOutput + "\n" + search.StandardError).Split('\n')
                    .Select(l => l.Trim())
                    .Where(l => l.StartsWith("attribute.service = ", StringComparison.Ordinal))
                    .Select(l => l["attribute.service = ".Length..])
                    .Order(StringComparer.Ordinal)
                    .ToList();
            default:
                throw new InvalidDataException($"{Scenario.Name}: expect.keyring needs a memory, file or secret-service keyring");
        }
    }

    /// <summary>Runs <c>atmos auth replay</c> with nothing but HOME (and the log level the run had).</summary>
    public Task<CliOutcome> ReplayAsync(params string[] arguments)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = Home };
        if (Scenario.Environment.TryGetValue("ATMOS_LOGS_LEVEL", out var level))
        {
            variables["ATMOS_LOGS_LEVEL"] = level;
        }

        return CliAsync(["auth", "replay", .. arguments], variables, NonInteractive.Instance, keyring: null);
    }

    /// <summary>Shows machine-specific parts as placeholders: the temp HOME as ~, the temp folder, the build folders.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text
            .Replace(FaultyPlugin, "<faulty-plugin>", StringComparison.Ordinal)
            .Replace(RepoPaths.HostOutput, "<atmos>/", StringComparison.Ordinal)
            .Replace(Home, "~", StringComparison.Ordinal)
            .Replace(Root, "<tmp>", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        Restore();
        if (_secretService is not null && OperatingSystem.IsLinux())
        {
            await _secretService.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers in /tmp are harmless.
        }
    }

    private static string Metadata(string key) =>
        typeof(ScenarioRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private async Task SeedAsync()
    {
        var config = Path.Join(Scenario.Folder, "atmos.yaml");
        if (File.Exists(config))
        {
            File.Copy(config, Path.Join(Home, "project", "atmos.yaml"));
        }

        foreach (var (relative, content) in Scenario.Files)
        {
            var path = Path.Join(Home, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, new UTF8Encoding(false));

            // A fixed time, so what a plan records about a file (the SSO token stamps) is the same on every run.
            File.SetLastWriteTimeUtc(path, ReferenceTime.Instant.UtcDateTime);
        }

        foreach (var (relative, target) in Scenario.Symlinks)
        {
            var path = Path.Join(Home, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Directory.CreateSymbolicLink(path, target);
        }

        if (Scenario.Plugins.Count > 0)
        {
            WriteManifest();
        }

        switch (Scenario.Keyring)
        {
            case KeyringBackend.Memory:
                _keyring = new MemoryKeyring();
                await SeedKeyringAsync(_keyring);
                break;
            case KeyringBackend.File when Scenario.KeyringEntries.Count > 0:
                var password = Scenario.Environment.GetValueOrDefault(FileKeyring.PasswordVariable)
                    ?? throw new InvalidDataException($"{Scenario.Name}: seeding the file keyring needs environment.{FileKeyring.PasswordVariable}");
                await SeedKeyringAsync(new FileKeyring(Path.Join(Home, ".local", "share", "atmos", "keyring"), password));
                break;
            case KeyringBackend.File:
            case KeyringBackend.NoBus:
                break;
            default:
                if (!OperatingSystem.IsLinux())
                {
                    throw new PlatformNotSupportedException($"{Scenario.Name}: the Secret Service scenarios run on Linux");
                }

                _secretService = await PrivateSecretService.StartAsync(Scenario.Keyring switch
                {
                    KeyringBackend.Locked => SecretServiceState.Locked,
                    KeyringBackend.NoLoginCollection => SecretServiceState.NoLoginCollection,
                    KeyringBackend.NoService => SecretServiceState.NoService,
                    _ => SecretServiceState.Unlocked,
                });
                foreach (var (name, value) in Scenario.KeyringEntries)
                {
                    // As another keyring client stores them: secret-tool, the attributes of SPEC §2.
                    var stored = await _secretService.SecretToolAsync(value, "store", $"--label=atmos-auth: {name}", "service", name, "username", IKeyring.User);
                    if (stored.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"{Scenario.Name}: secret-tool store {name} failed: {stored.StandardError}");
                    }
                }

                break;
        }
    }

    private async Task SeedKeyringAsync(IKeyring keyring)
    {
        foreach (var (name, value) in Scenario.KeyringEntries)
        {
            await keyring.SetAsync(name, value, CancellationToken.None);
        }
    }

    private void WriteManifest()
    {
        var folder = Path.Join(Root, "plugins");
        var entries = new List<string> { Entry("aws", Path.Join(RepoPaths.HostOutput, "plugins", "Aws", "Atmos.Plugins.Aws.dll")) };
        foreach (var (name, kind) in Scenario.Plugins)
        {
            var path = kind switch
            {
                "faulty" => FaultyPlugin,
                "missing" => Path.Join(folder, name, $"Atmos.Plugins.{name}.dll"),
                "broken" => Path.Join(folder, name, $"Atmos.Plugins.{name}.dll"),
                _ => throw new InvalidDataException($"{Scenario.Name}: plugins.{name} must be missing, broken or faulty, not '{kind}'"),
            };
            if (kind == "broken")
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "this is not an assembly\n");
            }

            entries.Add(Entry(name, path));
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Join(folder, "plugins.json"), $"{{ \"plugins\": [\n  {string.Join(",\n  ", entries)}\n] }}\n");

        static string Entry(string name, string path) => $"{{ \"name\": \"{name}\", \"path\": \"{path}\", \"enabled\": true }}";
    }

    private Dictionary<string, string> Variables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = Home };
        switch (Scenario.Keyring)
        {
            case KeyringBackend.File:
                variables["ATMOS_KEYRING_TYPE"] = "file";
                break;
            case KeyringBackend.NoBus:
                variables["ATMOS_KEYRING_TYPE"] = "system";
                break;
            case KeyringBackend.Memory:
                break;
            default:
                variables["ATMOS_KEYRING_TYPE"] = "system";
                variables["DBUS_SESSION_BUS_ADDRESS"] = OperatingSystem.IsLinux() ? _secretService!.Address : string.Empty;
                break;
        }

        if (Scenario.Plugins.Count > 0)
        {
            variables["ATMOS_PLUGINS_MANIFEST"] = Path.Join(Root, "plugins", "plugins.json");
        }

        foreach (var (name, value) in Scenario.Environment)
        {
            variables[name] = value;
        }

        return variables;
    }

    private async Task<CliOutcome> CliAsync(IReadOnlyList<string> arguments, Dictionary<string, string> variables, IUserInteraction interaction, IKeyring? keyring)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new HostEnvironment
        {
            Variables = variables,
            Home = Home,
            WorkingDirectory = Path.Join(Home, Scenario.WorkingDirectory),
            Out = stdout,
            Error = stderr,
            InstallFolder = RepoPaths.HostOutput,
            Clock = new FakeTimeProvider(ReferenceTime.Instant),
            Interaction = interaction,
            Keyring = keyring,
        };
        var code = await AtmosCli.RunAsync([.. arguments], host);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    // Permission denied: chmod 0500 bites a normal user; root ignores modes, so there the folder is made immutable.
    private void Inject()
    {
        foreach (var relative in Scenario.DenyWrite)
        {
            var path = Path.Join(Home, relative);
            if (Environment.IsPrivilegedProcess)
            {
                Chattr("+i", path);
                _immutable.Add(path);
            }
            else
            {
                _narrowed.Add((path, File.GetUnixFileMode(path)));
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
        }

        foreach (var relative in Scenario.HoldLock)
        {
            _heldLocks.Add(FileLock.Acquire(Path.Join(Home, relative), TimeSpan.FromSeconds(5)));
        }
    }

    private void Restore()
    {
        foreach (var held in _heldLocks)
        {
            held.Dispose();
        }

        _heldLocks.Clear();
        foreach (var path in _immutable)
        {
            Chattr("-i", path);
        }

        _immutable.Clear();
        foreach (var (path, mode) in _narrowed)
        {
            File.SetUnixFileMode(path, mode);
        }

        _narrowed.Clear();
    }

    /// <summary>Sets or clears the immutable attribute; false when this machine cannot (no CAP_LINUX_IMMUTABLE, or the file system has no such attribute).</summary>
    public static bool TryChattr(string change, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [change, path]) { RedirectStandardError = true, RedirectStandardOutput = true });
        if (process is null)
        {
            return false;
        }

        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static void Chattr(string change, string path)
    {
        if (!TryChattr(change, path))
        {
            throw new InvalidOperationException($"chattr {change} {path} failed");
        }
    }
}
