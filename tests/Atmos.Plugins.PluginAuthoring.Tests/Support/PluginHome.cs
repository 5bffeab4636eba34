using System.Text.Json;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>A plugin listed in a test manifest.</summary>
/// <param name="Name">The manifest name.</param>
/// <param name="Path">The assembly path as written in the manifest (absolute, or relative to the manifest).</param>
/// <param name="Enabled">The enabled flag.</param>
public sealed record PluginEntry(string Name, string Path, bool Enabled = true);

/// <summary>
/// A throw-away HOME in which the published atmos runs as a process, with a memory keyring, no colour, and the
/// plugins of a temporary manifest.
/// </summary>
public sealed class PluginHome : IDisposable
{
    private readonly PublishedAtmos _atmos;

    public PluginHome(PublishedAtmos atmos)
    {
        _atmos = atmos;
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = Files.Home,
            ["XDG_CONFIG_HOME"] = string.Empty,
            ["ATMOS_XDG_CONFIG_HOME"] = string.Empty,
            ["XDG_CACHE_HOME"] = string.Empty,
            ["XDG_STATE_HOME"] = Path.Join(Files.Root, "state"), // the audit trail goes beside HOME, whose bytes tests check
            ["ATMOS_KEYRING_TYPE"] = "memory",
            ["ATMOS_PLUGINS_MANIFEST"] = string.Empty,
            ["ATMOS_PLUGIN_TIMEOUT"] = string.Empty,
            ["NO_COLOR"] = "1",
        };
    }

    /// <summary>The temp folder, with HOME inside it.</summary>
    public TempHome Files { get; } = new();

    /// <summary>The variables atmos runs with (on top of this process's own).</summary>
    public Dictionary<string, string> Environment { get; }

    /// <summary>The AWS plugin of the published atmos.</summary>
    public string AwsPlugin => Path.Join(_atmos.Folder, "plugins", "Aws", "Atmos.Plugins.Aws.dll");

    /// <summary>Writes a manifest (outside HOME) and points <c>ATMOS_PLUGINS_MANIFEST</c> at it.</summary>
    public string UseManifest(params PluginEntry[] plugins)
    {
        var path = WriteManifest(Path.Join(Files.Root, "manifest", "plugins.json"), plugins);
        Environment["ATMOS_PLUGINS_MANIFEST"] = path;
        return path;
    }

    /// <summary>Writes a manifest at <paramref name="path"/>.</summary>
    public static string WriteManifest(string path, params PluginEntry[] plugins)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new { plugins = plugins.Select(p => new { name = p.Name, path = p.Path, enabled = p.Enabled }) };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
        return path;
    }

    /// <summary>Copies a published plugin's folder to <paramref name="folder"/> (under the temp root) and returns the assembly's new path.</summary>
    public string Install(string publishedAssembly, string folder)
    {
        var from = Path.GetDirectoryName(publishedAssembly)!;
        var to = Path.Join(Files.Root, folder);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Join(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return Path.Join(to, Path.GetFileName(publishedAssembly));
    }

    /// <summary>Writes <c>~/atmos.yaml</c> and returns its path.</summary>
    public string Config(string yaml) => Files.Write("atmos.yaml", yaml);

    public Processes.Outcome Atmos(params string[] args) => Processes.Run(_atmos.Executable, args, Environment, Files.Root);

    public void Dispose() => Files.Dispose();
}
