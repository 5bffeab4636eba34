using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// A throw-away home folder per test (<c>home/</c> with <c>.config</c> and <c>.cache</c>) and the calls a host makes
/// into a plugin: build targets the way the planner does, plan, then execute each step.
/// </summary>
public sealed class PluginTestHome : IDisposable
{
    public PluginTestHome(string cloud, TimeSpan? lockTimeout = null)
    {
        Root = Directory.CreateTempSubdirectory("atmos-plugin-test-").FullName;
        Home = Path.Join(Root, "home");
        Cloud = cloud;
        Directory.CreateDirectory(Home);
        Environment = new PluginEnvironment(
            Home,
            Path.Join(Home, ".config", "atmos", cloud),
            Path.Join(Home, ".cache"),
            Path.Join(Home, ".local", "share"),
            lockTimeout ?? TimeSpan.FromMilliseconds(500),
            TimeProvider.System,
            new Dictionary<string, string> { ["HOME"] = Home });
    }

    /// <summary>The temp folder: <see cref="Home"/> and anything a test keeps outside it.</summary>
    public string Root { get; }

    public string Home { get; }

    public string Cloud { get; }

    public PluginEnvironment Environment { get; }

    /// <summary>A provider in the default base folder, <c>~/.config/atmos/&lt;cloud&gt;/&lt;name&gt;</c>.</summary>
    public ProviderTarget Provider(string name, string kind, params (string Path, string Value)[] settings) =>
        new(name, kind, Environment.DefaultBaseFolder, Path.Join(Environment.DefaultBaseFolder, name), true, Settings(settings));

    /// <summary>An identity whose chain starts at <paramref name="provider"/>.</summary>
    public static IdentityTarget Identity(string name, string kind, ProviderTarget provider, params (string Path, string Value)[] settings) =>
        new(name, kind, [provider.Name, name], provider, Settings([("via.provider", provider.Name), .. settings]));

    /// <summary>Settings from dotted paths, such as <c>("principal.subscription_id", "...")</c>.</summary>
    public static Settings Settings(params (string Path, string Value)[] values)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (path, value) in values)
        {
            var keys = path.Split('.');
            var map = root;
            foreach (var key in keys[..^1])
            {
                if (!map.TryGetValue(key, out var child) || child is not Dictionary<string, object?> nested)
                {
                    nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                    map[key] = nested;
                }

                map = nested;
            }

            map[keys[^1]] = value;
        }

        return Wrap(root);
    }

    public PlanRequest Request(LogoutScope scope, IReadOnlyList<ProviderTarget> providers, IReadOnlyList<IdentityTarget> identities) =>
        new(scope, providers, identities, Environment);

    /// <summary>Plans and then executes every step, as the host does; returns each step with its result.</summary>
    public List<(FileStep Step, StepResult Result)> LogOut(IProviderPlugin plugin, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        return plugin.Plan(request).Select(step => (step, plugin.Execute(step, Environment, CancellationToken.None))).ToList();
    }

    /// <summary>Plans every scope and inspects, then asserts the tree is as it was, byte for byte (a dry run changes nothing).</summary>
    public void AssertPlanningWritesNothing(IProviderPlugin plugin, ProviderTarget provider, IReadOnlyList<IdentityTarget> identities)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var before = TreeHash();

        Assert.NotEmpty(plugin.Plan(Request(LogoutScope.Identity, [], identities)));
        Assert.NotEmpty(plugin.Plan(Request(LogoutScope.Provider, [provider], identities)));
        Assert.NotEmpty(plugin.Plan(Request(LogoutScope.All, [provider], identities)));
        Assert.NotEmpty(plugin.Inspect(Request(LogoutScope.All, [provider], identities)));

        Assert.Equal(before, TreeHash());
    }

    /// <summary>
    /// Asserts that nothing the host prints or audits (status, plan, results) carries a fixture secret: every secret in
    /// the fixtures contains <c>fake-</c>.
    /// </summary>
    public static void AssertNoSecret(IReadOnlyList<StoredArtifact> inspected, IReadOnlyList<(FileStep Step, StepResult Result)> outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var printed = JsonSerializer.Serialize(new { inspected, steps = outcome.Select(o => o.Step), results = outcome.Select(o => o.Result) });
        Assert.DoesNotContain("fake-", printed, StringComparison.Ordinal);
    }

    /// <summary>Moves <paramref name="folder"/> outside the home folder and leaves a symbolic link to it in its place.</summary>
    /// <returns>The link's target, where the content now lives.</returns>
    public string ReplaceWithSymlink(string folder)
    {
        var target = Path.Join(Root, "elsewhere", Path.GetFileName(folder));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(folder, target);
        Directory.CreateSymbolicLink(folder, target);
        return target;
    }

    /// <summary>
    /// A keyring entry as the host hands it to <see cref="IProviderPlugin.Classify"/>: the envelope's top-level data fields
    /// as text, JSON null as null, nested values as their JSON (the engine's KeyringEnvelope.Parse).
    /// </summary>
    public static KeyringEntry KeyringEntry(string name, string kind, string envelopeType, string dataJson)
    {
        using var data = JsonDocument.Parse(dataJson);
        var fields = data.RootElement.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Null => null,
                _ => p.Value.GetRawText(),
            },
            StringComparer.Ordinal);
        return new KeyringEntry(name, kind, envelopeType, fields);
    }

    /// <summary>Writes a file (creating its folder), as a CLI would.</summary>
    public static string Write(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string Write(string path, string content) => Write(path, Encoding.UTF8.GetBytes(content));

    /// <summary>A digest of every entry under <see cref="Root"/>: paths, kinds, link targets, modes and contents.</summary>
    public string TreeHash()
    {
        var text = new StringBuilder();
        foreach (var entry in new DirectoryInfo(Root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            text.Append(entry.FullName).Append('|').Append(entry.LinkTarget).Append('|');
            if (!OperatingSystem.IsWindows())
            {
                text.Append(entry.UnixFileMode).Append('|');
            }

            if (entry is FileInfo file && entry.LinkTarget is null)
            {
                text.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName))));
            }

            text.Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Runs a program with extra environment variables; returns its exit code and standard output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IReadOnlyDictionary<string, string> variables, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed half-way may leave a read-only or busy file; the OS cleans temp folders.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private static Settings Wrap(Dictionary<string, object?> map) =>
        new(map.ToDictionary(p => p.Key, p => p.Value is Dictionary<string, object?> nested ? Wrap(nested) : p.Value, StringComparer.Ordinal));
}
