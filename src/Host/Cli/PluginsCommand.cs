using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// <c>atmos plugins list [--load] [--output text|json]</c>: every plugin of the manifests with its path, version,
/// contract version, kinds and why it cannot be used. Read from the assemblies' metadata; only <c>--load</c> loads them.
/// </summary>
internal sealed class PluginsCommand
{
    private readonly Option<bool> _load = new("--load")
    {
        Description = "Also load every enabled plugin, each in a process of its own (atmos-plugin-host), resolve its whole dependency closure and ask for its cloud name, to check that it loads here. Without it nothing is loaded: the list comes from the assemblies' metadata.",
    };

    private readonly Option<string> _output = OutputFormat.Option("Output format: text (on stderr) or json (one JSON document on stdout).");

    private readonly Argument<string> _assembly = new("assembly")
    {
        Description = "The plugin's main assembly (the .dll its publish folder holds).",
    };

    private readonly Option<string?> _name = new("--name")
    {
        Description = "The plugin's name as its plugins.json entry gives it (default: the entry listing this assembly, else the prefix of its first kind).",
        HelpName = "name",
    };

    private readonly Option<string?> _home = new("--home")
    {
        Description = "A folder holding the files the plugin should find (as under a HOME); it is copied into a sandbox home, never changed. Without it the sandbox home is empty and the steps cannot be executed.",
        HelpName = "folder",
    };

    private readonly Option<string> _checkOutput = OutputFormat.Option("Output format: text (on stderr) or json (one JSON document on stdout).");

    private readonly Option<string[]> _config;
    private readonly HostEnvironment _host;

    public PluginsCommand(HostEnvironment host, ConfigOptions config)
    {
        _host = host;
        _config = config.Config;
        var list = new Command("list", "List the plugins of plugins.json (or $ATMOS_PLUGINS_MANIFEST) and the user manifest <config home>/atmos/plugins.json: path, version, contract version, where each runs, its grants, kinds, and why any cannot be used.")
        {
            _load, _output,
        };
        list.SetAction(Execute);
        var check = new Command("check", "Run the conformance checks atmos's own plugins pass on a plugin: loaded in a process of its own against a sandbox home (with --config, the entries of its kinds in that atmos.yaml, the first one given; else one of each kind), every call checked as a logout makes it. Exit 1 when any check fails.")
        {
            _assembly, _name, _home, _checkOutput,
        };
        check.SetAction(Check);
        Command = new Command("plugins", "Inspect the provider plugins, and check one you are writing.") { list, check };
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult)
    {
        var load = parseResult.GetValue(_load);
        using var catalog = RunSetup.Catalog(_host, out var problems, readAllMetadata: true, isolateAll: load);
        var paths = new PathContext(_host.Home, _host.WorkingDirectory, null, _host.Variables);
        var builtIn = RunSetup.BuiltInFolder(_host);
        var plugins = catalog.Plugins.Select(p => Describe(catalog, p, load) with
        {
            Isolated = PluginCatalog.IsIsolated(p.Entry, builtIn),
            Grants = (p.Entry.Grants ?? []).Select(g => (g, g.Resolve(paths))).ToList(),
        }).ToList();
        if (parseResult.GetValue(_output) == OutputFormat.Json)
        {
            _host.Out.WriteLine(Json(catalog, plugins, problems));
        }
        else
        {
            WriteText(catalog, plugins, problems);
        }

        return plugins.Any(p => p.Status == PluginStatus.Error) || problems.Any(p => p.Severity == ProblemSeverity.Error)
            ? ExitCodes.Failed
            : ExitCodes.Success;
    }

    private int Check(ParseResult parseResult)
    {
        var assembly = Path.GetFullPath(parseResult.GetValue(_assembly)!, _host.WorkingDirectory);
        if (!File.Exists(assembly))
        {
            _host.Error.WriteLine($"Error: {HumanOutput.Display(assembly, _host.Home)} does not exist; give the plugin's .dll");
            return ExitCodes.Usage;
        }

        // The entry that lists this assembly, if the manifests have one: its name and grants are the plugin's.
        using var catalog = RunSetup.Catalog(_host, out _, readAllMetadata: false);
        var listed = catalog.Plugins.FirstOrDefault(p => p.Entry.AssemblyPath == assembly)?.Entry;
        var config = parseResult.GetValue(_config) is [var file, ..] ? Path.GetFullPath(file, _host.WorkingDirectory) : null;
        var home = parseResult.GetValue(_home) is { } folder ? Path.GetFullPath(PathExpansion.ExpandTilde(folder, _host.Home) ?? folder, _host.WorkingDirectory) : null;
        if (home is not null && !Directory.Exists(home))
        {
            _host.Error.WriteLine($"Error: --home {HumanOutput.Display(home, _host.Home)} is not a folder");
            return ExitCodes.Usage;
        }

        var request = new PluginCheckRequest(assembly, parseResult.GetValue(_name) ?? listed?.Name, config, home, listed?.Grants);
        var results = PluginCheck.Run(request, _host.InstallFolder, catalog.CallTimeout);
        var failed = results.Count(r => r.Status == CheckStatus.Failed);
        if (parseResult.GetValue(_checkOutput) == OutputFormat.Json)
        {
            _host.Out.WriteLine(CheckJson(assembly, results));
        }
        else
        {
            _host.Error.WriteLine($"Checking {Display(assembly)} in a sandbox home{(config is null ? string.Empty : $" with the entries of its kinds in {Display(config)}")}:");
            foreach (var result in results)
            {
                var mark = result.Status switch { CheckStatus.Passed => "✓", CheckStatus.Failed => "✗", _ => "-" };
                _host.Error.WriteLine(TerminalText.Line($"{mark} {result.Name}: {result.Detail}"));
            }

            var skipped = results.Count(r => r.Status == CheckStatus.Skipped);
            var passed = results.Count - failed - skipped;
            _host.Error.WriteLine(failed == 0
                ? $"✓ {passed} checks passed{(skipped > 0 ? $", {skipped} skipped" : string.Empty)}"
                : $"✗ {failed} of {results.Count} checks failed");
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static string CheckJson(string assembly, IReadOnlyList<CheckResult> results)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", 1);
            json.WriteString("command", "plugins check");
            json.WriteString("assembly", assembly);
            json.WriteBoolean("passed", results.All(r => r.Status != CheckStatus.Failed));
            json.WriteStartArray("checks");
            foreach (var result in results)
            {
                json.WriteStartObject();
                json.WriteString("name", result.Name);
                json.WriteString("status", result.Status.ToString().ToLowerInvariant());
                json.WriteString("detail", result.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static PluginRow Describe(PluginCatalog catalog, PluginDescriptor plugin, bool load)
    {
        var metadata = plugin.Metadata;
        var row = new PluginRow(
            plugin.Name,
            plugin.Entry.AssemblyPath,
            plugin.Entry.ManifestPath,
            plugin.Entry.Enabled,
            metadata?.DisplayVersion,
            metadata?.ContractVersion is { } contract ? $"{contract.Major}.{contract.Minor}" : null,
            metadata?.ProviderKinds ?? [],
            metadata?.IdentityKinds ?? []);
        row = row with { IntegrationKinds = metadata?.IntegrationKinds ?? [] };
        if (!plugin.Entry.Enabled)
        {
            return row with { Status = PluginStatus.Disabled };
        }

        // A kind claimed by two plugins resolves to no plugin: that is an error of both.
        var errors = plugin.Problem is null ? new List<string>() : [plugin.Problem];
        errors.AddRange(plugin.Kinds.Select(catalog.Resolve).Concat(plugin.IntegrationKinds.Select(catalog.ResolveIntegration)).Where(o => o.Plugin is null && o.Problem is not null).Select(o => o.Problem!));
        if (errors.Count == 0 && load)
        {
            var loaded = catalog.Load(plugin);
            if (loaded.LoadFailure is null)
            {
                return row with { Status = PluginStatus.Loaded, Cloud = loaded.Cloud };
            }

            errors.Add($"failed to load: {loaded.LoadFailure}");
        }

        return row with { Status = errors.Count == 0 ? PluginStatus.Ok : PluginStatus.Error, Errors = errors };
    }

    private void WriteText(PluginCatalog catalog, List<PluginRow> plugins, List<ConfigProblem> problems)
    {
        var output = _host.Error;
        var manifests = catalog.Manifests.Count == 0 ? "no manifest" : string.Join(", ", catalog.Manifests.Select(Display));
        output.WriteLine($"Plugins (this atmos implements contract {ContractVersion.Current}; from {manifests}):");
        foreach (var plugin in plugins)
        {
            output.WriteLine();
            var version = plugin.Version is null ? string.Empty : $" {plugin.Version}";
            var contract = plugin.Contract is null ? string.Empty : $" (contract {plugin.Contract})";
            output.WriteLine($"{plugin.Name}{version}{contract}");
            output.WriteLine($"  path:       {Display(plugin.Path)}");
            output.WriteLine($"  manifest:   {Display(plugin.Manifest)}");
            if (plugin.ProviderKinds.Count > 0)
            {
                output.WriteLine($"  providers:  {string.Join(", ", plugin.ProviderKinds)}");
            }

            if (plugin.IdentityKinds.Count > 0)
            {
                output.WriteLine($"  identities: {string.Join(", ", plugin.IdentityKinds)}");
            }

            if (plugin.IntegrationKinds.Count > 0)
            {
                output.WriteLine($"  integrations: {string.Join(", ", plugin.IntegrationKinds)}");
            }

            output.WriteLine(plugin.Isolated ? "  runs:       in a process of its own" : "  runs:       in atmos's process (shipped with atmos)");
            foreach (var (grant, resolved) in plugin.Grants)
            {
                output.WriteLine($"  grants:     {grant.Path} ({grant.Reason}){(resolved is null ? "; not honoured: it names the home folder, a folder above it or the root" : string.Empty)}");
            }

            output.WriteLine(plugin.Status switch
            {
                PluginStatus.Loaded => $"  status:     ✓ loaded (cloud '{plugin.Cloud}')",
                PluginStatus.Ok => "  status:     ✓ ok (metadata only; --load also loads it)",
                PluginStatus.Disabled => "  status:     - disabled",
                _ => "  status:     ✗ cannot be used",
            });
            foreach (var error in plugin.Errors)
            {
                output.WriteLine($"  error:      {error}");
            }
        }

        if (problems.Count > 0)
        {
            output.WriteLine();
            foreach (var problem in problems)
            {
                output.WriteLine(problem.ToString());
            }
        }

        output.WriteLine();
        var failing = plugins.Count(p => p.Status == PluginStatus.Error);
        var count = $"{plugins.Count} plugin{(plugins.Count == 1 ? string.Empty : "s")}";
        output.WriteLine(failing == 0 ? $"✓ {count}, none with errors" : $"✗ {count}, {failing} with errors");
    }

    private static string Json(PluginCatalog catalog, List<PluginRow> plugins, List<ConfigProblem> problems)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", 1);
            json.WriteString("command", "plugins list");
            json.WriteString("contract", ContractVersion.Current.ToString());
            Strings(json, "manifests", catalog.Manifests);
            json.WriteStartArray("plugins");
            foreach (var plugin in plugins)
            {
                json.WriteStartObject();
                json.WriteString("name", plugin.Name);
                json.WriteString("path", plugin.Path);
                json.WriteString("manifest", plugin.Manifest);
                json.WriteBoolean("enabled", plugin.Enabled);
                json.WriteString("version", plugin.Version);
                json.WriteString("contract", plugin.Contract);
                Strings(json, "provider_kinds", plugin.ProviderKinds);
                Strings(json, "identity_kinds", plugin.IdentityKinds);
                Strings(json, "integration_kinds", plugin.IntegrationKinds);
                json.WriteString("isolation", plugin.Isolated ? "process" : "in-process");
                json.WriteStartArray("grants");
                foreach (var (grant, resolved) in plugin.Grants)
                {
                    json.WriteStartObject();
                    json.WriteString("path", grant.Path);
                    json.WriteString("resolved", resolved);
                    json.WriteString("reason", grant.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteString("status", plugin.Status.ToString().ToLowerInvariant());
                json.WriteString("cloud", plugin.Cloud);
                Strings(json, "errors", plugin.Errors);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("problems");
            foreach (var problem in problems)
            {
                json.WriteStartObject();
                json.WriteString("severity", problem.Severity == ProblemSeverity.Error ? "error" : "warning");
                json.WriteString("message", problem.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private string Display(string path) => HumanOutput.Display(path, _host.Home);

    private enum PluginStatus
    {
        Ok,
        Loaded,
        Disabled,
        Error,
    }

    private sealed record PluginRow(
        string Name,
        string Path,
        string Manifest,
        bool Enabled,
        string? Version,
        string? Contract,
        IReadOnlyList<string> ProviderKinds,
        IReadOnlyList<string> IdentityKinds)
    {
        public PluginStatus Status { get; init; }

        public string? Cloud { get; init; }

        public bool Isolated { get; init; }

        public IReadOnlyList<string> IntegrationKinds { get; init; } = [];

        public IReadOnlyList<(PluginGrant Grant, string? Resolved)> Grants { get; init; } = [];

        public IReadOnlyList<string> Errors { get; init; } = [];
    }
}
