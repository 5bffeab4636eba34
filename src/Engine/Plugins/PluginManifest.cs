using System.Text.Json;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>One entry of <c>plugins.json</c>.</summary>
/// <param name="Name">The plugin's name, e.g. <c>aws</c>; kinds with that prefix are attributed to it when it is broken.</param>
/// <param name="AssemblyPath">The plugin assembly, made absolute (relative paths are relative to the manifest).</param>
/// <param name="Enabled">False skips it.</param>
/// <param name="ManifestPath">The manifest that listed it.</param>
public sealed record ManifestEntry(string Name, string AssemblyPath, bool Enabled, string ManifestPath);

/// <summary>
/// Reads <c>plugins.json</c>: <c>{ "plugins": [ { "name": "aws", "path": "plugins/Aws/Atmos.Plugins.Aws.dll", "enabled": true } ] }</c>.
/// </summary>
public static class PluginManifest
{
    /// <summary>The manifest file name.</summary>
    public const string FileName = "plugins.json";

    /// <summary>Reads a manifest. Problems (unreadable file, bad JSON, bad entries) are returned, never thrown.</summary>
    /// <param name="path">The manifest.</param>
    /// <param name="problems">Receives one line per problem.</param>
    public static IReadOnlyList<ManifestEntry> Read(string path, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var entries = new List<ManifestEntry>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"plugin manifest {path} cannot be read: {ex.Message}");
            return entries;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("plugins", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problems.Add($"plugin manifest {path} has no \"plugins\" array; write {{ \"plugins\": [ {{ \"name\": ..., \"path\": ..., \"enabled\": true }} ] }}");
                return entries;
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                index++;
                var name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var file = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(file))
                {
                    problems.Add($"plugin manifest {path}: entry {index} needs a \"name\" and a \"path\"");
                    continue;
                }

                var enabled = !item.TryGetProperty("enabled", out var e) || e.ValueKind != JsonValueKind.False;
                entries.Add(new ManifestEntry(name, Path.GetFullPath(file, folder), enabled, path));
            }
        }
        catch (JsonException ex)
        {
            problems.Add($"plugin manifest {path} is not valid JSON (line {ex.LineNumber + 1}): fix or restore it");
        }

        return entries;
    }
}
