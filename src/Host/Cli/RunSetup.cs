using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Plugins;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Host.Plugins;

namespace Atmos.Plugins.Host.Cli;

/// <summary>Builds a run's context from the process: finds, merges and validates atmos.yaml, reads the plugin manifests, opens the keyring.</summary>
internal static class RunSetup
{
    /// <summary>The default limit for one call into a plugin.</summary>
    public static readonly TimeSpan DefaultPluginTimeout = TimeSpan.FromSeconds(30);

    public static RunContext Build(HostEnvironment host, ConfigRequest request)
    {
        var config = AuthConfigLoader.Load(request);
        var paths = new PathContext(host.Home, host.WorkingDirectory, config.SourcePath is null ? null : Path.GetDirectoryName(config.SourcePath), host.Variables);
        var catalog = Catalog(host, out var manifestProblems);
        var problems = ConfigValidation.Validate(config, catalog, host.Home, host.Variables).Concat(manifestProblems).ToList();

        IKeyring keyring;
        try
        {
            keyring = host.Keyring ?? KeyringFactory.Create(config.Keyring, host.Variables, host.Home);
        }
        catch (ArgumentException ex)
        {
            problems.Add(ConfigProblem.Error(null, ex.Message));
            keyring = new MemoryKeyring();
        }

        var lockTimeout = Durations.TryParse(host.Variable("ATMOS_LOCK_TIMEOUT"), out var lt) ? lt : RunContext.DefaultLockTimeout;
        return new RunContext(config, catalog, keyring, paths, host.Clock, lockTimeout) { Problems = problems };
    }

    /// <summary>
    /// The plugins: <c>$ATMOS_PLUGINS_MANIFEST</c> or the built-in <c>plugins.json</c> beside the executable, plus a user
    /// manifest in <c>&lt;config home&gt;/atmos/plugins.json</c> that adds plugins.
    /// </summary>
    /// <param name="host">The process.</param>
    /// <param name="problems">Manifest problems.</param>
    /// <param name="readAllMetadata">Open every plugin assembly's metadata even where the manifest declares its kinds (<c>plugins list</c> shows versions).</param>
    /// <param name="isolateAll">Load every plugin in a process of its own, so its whole dependency closure is checked without atmos's assemblies (<c>plugins list --load</c>).</param>
    public static PluginCatalog Catalog(HostEnvironment host, out List<ConfigProblem> problems, bool readAllMetadata = false, bool isolateAll = false)
    {
        problems = [];
        var manifests = new List<string>();
        if (host.Variable("ATMOS_PLUGINS_MANIFEST") is { } chosen)
        {
            var full = Path.GetFullPath(PathExpansion.ExpandTilde(chosen, host.Home) ?? chosen, host.WorkingDirectory);
            if (File.Exists(full))
            {
                manifests.Add(full);
            }
            else
            {
                problems.Add(ConfigProblem.Error(null, $"ATMOS_PLUGINS_MANIFEST points at {full}, which does not exist; fix or unset it") with { IsLocal = true });
            }
        }
        else
        {
            var builtIn = Path.Join(host.InstallFolder, PluginManifest.FileName);
            if (File.Exists(builtIn))
            {
                manifests.Add(builtIn);
            }
            else
            {
                problems.Add(ConfigProblem.Warning(null, $"no {PluginManifest.FileName} beside atmos ({host.InstallFolder}); no provider plugins are installed"));
            }
        }

        var user = Path.Join(PathExpansion.ConfigHome(host.Variables, host.Home), "atmos", PluginManifest.FileName);
        if (File.Exists(user) && !manifests.Contains(user))
        {
            manifests.Add(user);
        }

        var timeout = Durations.TryParse(host.Variable("ATMOS_PLUGIN_TIMEOUT"), out var t) && t > TimeSpan.Zero ? t : DefaultPluginTimeout;
        var logs = new PluginLogPrinter(host.Error, DebugLog.ParseLevel(host.Variable("ATMOS_LOGS_LEVEL")), host.Clock);
        var loaders = new PluginLoaders(new McMasterPluginLoader(), new PluginProcessLoader(host.InstallFolder, host.Variables, host.WorkingDirectory, logs));
        var catalog = new PluginCatalog(manifests, loaders, timeout, trustDeclaredKinds: !readAllMetadata, BuiltInFolder(host), logs, isolateAll);
        // A broken manifest blocks only the entries whose kinds no plugin then provides (their steps fail naming it).
        problems.AddRange(catalog.Problems.Select(p => ConfigProblem.Error(null, p) with { IsLocal = true }));
        problems.AddRange(catalog.Warnings.Select(p => ConfigProblem.Warning(null, p)));
        return catalog;
    }

    /// <summary>The folder of the plugins shipped with atmos: they run in its process.</summary>
    /// <param name="host">The process.</param>
    public static string BuiltInFolder(HostEnvironment host) => Path.Join(host.InstallFolder, "plugins");
}
