using System.Text.Json;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>A plugin listed in a test manifest.</summary>
/// <param name="Name">The manifest name.</param>
/// <param name="Path">The assembly path as written in the manifest (absolute, or relative to the manifest).</param>
/// <param name="Enabled">The enabled flag.</param>
/// <param name="Isolation">"process" or "in-process", or null to leave the key out.</param>
/// <param name="Grants">Grants (path as written, reason), or null to leave the key out.</param>
public sealed record PluginEntry(string Name, string Path, bool Enabled = true, string? Isolation = null, IReadOnlyList<(string Path, string Reason)>? Grants = null);

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
        var entries = new System.Text.Json.Nodes.JsonArray();
        foreach (var plugin in plugins)
        {
            var entry = new System.Text.Json.Nodes.JsonObject { ["name"] = plugin.Name, ["path"] = plugin.Path, ["enabled"] = plugin.Enabled };
            if (plugin.Isolation is not null)
            {
                entry["isolation"] = plugin.Isolation;
            }

            if (plugin.Grants is not null)
            {
                entry["grants"] = new System.Text.Json.Nodes.JsonArray([.. plugin.Grants.Select(g => new System.Text.Json.Nodes.JsonObject { ["path"] = g.Path, ["reason"] = g.Reason })]);
            }

            entries.Add(entry);
        }

        File.WriteAllText(path, new System.Text.Json.Nodes.JsonObject { ["plugins"] = entries }.ToJsonString());
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

    /// <summary>Runs atmos, failing the test if it has not exited after <paramref name="timeout"/>.</summary>
    public Processes.Outcome Atmos(TimeSpan timeout, params string[] args) => Processes.Run(_atmos.Executable, args, Environment, Files.Root, timeout);

    public void Dispose() => Files.Dispose();
}
