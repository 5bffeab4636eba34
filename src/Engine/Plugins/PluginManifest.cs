using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>One entry of <c>plugins.json</c>.</summary>
/// <param name="Name">The plugin's name, e.g. <c>aws</c>; kinds with that prefix are attributed to it when it is broken.</param>
/// <param name="AssemblyPath">The plugin assembly, made absolute (relative paths are relative to the manifest).</param>
/// <param name="Enabled">False skips it.</param>
/// <param name="ManifestPath">The manifest that listed it.</param>
/// <param name="DeclaredProviderKinds">The provider kinds the manifest says the plugin declares, or null when it does not say.</param>
/// <param name="DeclaredIdentityKinds">The identity kinds the manifest says the plugin declares, or null when it does not say.</param>
/// <param name="Isolated">
/// <c>"isolation": "process"</c> (true) or <c>"in-process"</c> (false); null when the entry does not say (then only the
/// plugins shipped with atmos run in its process).
/// </param>
/// <param name="Grants">Paths outside its own roots that the manifest lets the plugin change (<c>"grants"</c>).</param>
/// <param name="DeclaredIntegrationKinds">The integration kinds the manifest says the plugin declares (<c>"integration_kinds"</c>), or null when it does not say.</param>
public sealed record ManifestEntry(
    string Name,
    string AssemblyPath,
    bool Enabled,
    string ManifestPath,
    IReadOnlyList<string>? DeclaredProviderKinds = null,
    IReadOnlyList<string>? DeclaredIdentityKinds = null,
    bool? Isolated = null,
    IReadOnlyList<PluginGrant>? Grants = null,
    IReadOnlyList<string>? DeclaredIntegrationKinds = null)
{
    /// <summary>Whether the manifest declares the plugin's kinds (then the assembly need not be opened until it is used).</summary>
    public bool DeclaresKinds => DeclaredProviderKinds is not null && DeclaredIdentityKinds is not null;
}

/// <summary>
/// Reads <c>plugins.json</c>: <c>{ "plugins": [ { "name": "aws", "path": "plugins/Aws/Atmos.Plugins.Aws.dll", "enabled": true } ] }</c>,
/// with optional <c>"provider_kinds"</c>/<c>"identity_kinds"</c>/<c>"integration_kinds"</c> (the kinds, so the assembly need not be opened),
/// <c>"isolation"</c> (<c>"process"</c> or <c>"in-process"</c>) and <c>"grants"</c>
/// (<c>[ { "path": "~/.aws/sso/cache", "reason": "..." } ]</c>: folders outside its own roots the plugin may change).
/// </summary>
public static class PluginManifest
{
    /// <summary>The manifest file name.</summary>
    public const string FileName = "plugins.json";

    /// <summary>Larger manifests are refused (a manifest is a few hundred bytes per plugin).</summary>
    public const long MaxBytes = 1024 * 1024;

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
            // Opened without blocking (a FIFO fails at once, naming the file) and used only if it is a regular file.
            bytes = SafeFile.ReadAllBytes(path, MaxBytes, followLinks: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"plugin manifest {path} cannot be read: {SafeFile.Explain(ex)}");
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
                var providerKinds = Kinds(item, "provider_kinds", path, index, problems);
                var identityKinds = Kinds(item, "identity_kinds", path, index, problems);
                var declared = providerKinds is not null || identityKinds is not null;
                entries.Add(new ManifestEntry(
                    name,
                    Path.GetFullPath(file, folder),
                    enabled,
                    path,
                    declared ? providerKinds ?? [] : null,
                    declared ? identityKinds ?? [] : null,
                    Isolation(item, path, index, problems),
                    Grants(item, path, index, problems),
                    Kinds(item, "integration_kinds", path, index, problems)));
            }
        }
        catch (JsonException ex)
        {
            problems.Add($"plugin manifest {path} is not valid JSON (line {ex.LineNumber + 1}): fix or restore it");
        }

        return entries;
    }

    // Optional "isolation": "process" or "in-process".
    private static bool? Isolation(JsonElement item, string path, int index, ICollection<string> problems)
    {
        if (!item.TryGetProperty("isolation", out var value))
        {
            return null;
        }

        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "process":
                return true;
            case "in-process":
                return false;
            default:
                problems.Add($"plugin manifest {path}: entry {index} has an \"isolation\" that is neither \"process\" nor \"in-process\"; fix it or remove it (then only the plugins shipped with atmos run in its process)");
                return true;
        }
    }

    // Optional "grants": [ { "path": "...", "reason": "..." } ]. A bad grant is left out (the plugin gets less, never more).
    private static List<PluginGrant>? Grants(JsonElement item, string path, int index, ICollection<string> problems)
    {
        if (!item.TryGetProperty("grants", out var value))
        {
            return null;
        }

        var grants = new List<PluginGrant>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"plugin manifest {path}: entry {index} has \"grants\" that are not a list; write [ {{ \"path\": \"~/...\", \"reason\": \"...\" }} ]");
            return grants;
        }

        foreach (var grant in value.EnumerateArray())
        {
            var folder = grant.ValueKind == JsonValueKind.Object && grant.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var reason = grant.ValueKind == JsonValueKind.Object && grant.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var problem = folder is null || string.IsNullOrWhiteSpace(reason)
                ? "needs a \"path\" and a \"reason\" (say why the plugin must change it)"
                : PluginGrant.Problem(folder);
            if (problem is not null)
            {
                problems.Add($"plugin manifest {path}: entry {index} has a grant that {problem}; the grant is ignored");
                continue;
            }

            grants.Add(new PluginGrant(folder!, reason!.Trim()));
        }

        return grants;
    }

    // Optional "provider_kinds"/"identity_kinds": lists of kind names the plugin declares (checked when it loads).
    private static List<string>? Kinds(JsonElement item, string property, string path, int index, ICollection<string> problems)
    {
        if (!item.TryGetProperty(property, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(k => k.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(k.GetString())))
        {
            problems.Add($"plugin manifest {path}: entry {index} has a \"{property}\" that is not a list of kind names; fix it or remove it (the kinds are then read from the assembly)");
            return null;
        }

        var kinds = new List<string>(value.GetArrayLength());
        foreach (var kind in value.EnumerateArray())
        {
            kinds.Add(kind.GetString()!);
        }

        return kinds;
    }
}
