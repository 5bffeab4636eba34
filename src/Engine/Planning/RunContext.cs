using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>Everything a run reads from the outside world: config, plugins, keyring, paths, clock.</summary>
/// <param name="Config">The validated <c>auth:</c> section.</param>
/// <param name="Catalog">The plugins.</param>
/// <param name="Keyring">The keyring (already bounded by a timeout).</param>
/// <param name="Paths">Home, working folder, config folder, environment.</param>
/// <param name="Clock">The clock events and plugins use.</param>
/// <param name="LockTimeout">How long file edits wait for a lock.</param>
public sealed record RunContext(
    AuthConfig Config,
    PluginCatalog Catalog,
    IKeyring Keyring,
    PathContext Paths,
    TimeProvider Clock,
    TimeSpan LockTimeout)
{
    private ConfigGraph? _graph;
    private AuthRealm? _realm;
    private IReadOnlyDictionary<string, string>? _blocked;
    private CloudDefaults? _defaults;

    /// <summary>Problems found loading and validating the config (and setting up the keyring); any error rejects the run.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; init; } = [];

    /// <summary>The default wait for a file lock.</summary>
    public static TimeSpan DefaultLockTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The chain graph of <see cref="Config"/>.</summary>
    public ConfigGraph Graph => _graph ??= new ConfigGraph(Config);

    /// <summary>
    /// Identities and providers that a configuration error is about, and every identity whose chain passes through one
    /// (its files and chain cannot be known), with the problem to report: a logout fails their steps, not the run.
    /// </summary>
    public IReadOnlyDictionary<string, string> BlockedPrincipals => _blocked ??= FindBlocked();

    private IReadOnlyDictionary<string, string> FindBlocked()
    {
        var blocked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var problem in Problems)
        {
            if (problem.Severity != ProblemSeverity.Error)
            {
                continue;
            }

            foreach (var name in problem.Principals)
            {
                blocked.TryAdd(name, problem.ToString());
                foreach (var descendant in Graph.Descendants(name))
                {
                    blocked.TryAdd(descendant.Name, $"its chain passes through '{name}': {problem}");
                }
            }
        }

        return blocked;
    }

    /// <summary>The realm of this run (<c>ATMOS_AUTH_REALM</c>, else <c>auth.realm</c>); its problem, when invalid, is a config error.</summary>
    public AuthRealm Realm => _realm ??= AuthRealm.Resolve(Paths.Environment, Config);

    /// <summary>The environment handed to a plugin whose files live under <c>atmos/&lt;cloud&gt;</c>.</summary>
    /// <param name="cloud">The plugin's cloud folder name.</param>
    /// <param name="plugin">The plugin's name, for its log channel (none when null).</param>
    public PluginEnvironment EnvironmentFor(string cloud, string? plugin = null)
    {
        var defaults = DefaultFolders(cloud);
        var cacheHome = PathExpansion.CacheHome(Paths.Environment, Paths.Home);
        var dataHome = PathExpansion.DataHome(Paths.Environment, Paths.Home);
        return new PluginEnvironment(Paths.Home, defaults[0], cacheHome, dataHome, LockTimeout, Clock, Paths.Environment)
        {
            Realm = Realm.Value,
            AtmosConfigHome = BasePaths.AtmosConfigHome(Paths),
            AtmosCacheHome = Path.Join(cacheHome, "atmos"),
            AtmosDataHome = Path.Join(dataHome, "atmos"),
            DefaultBaseFolders = defaults,
            Log = plugin is null ? PluginLog.None : Catalog.LogFor(plugin),
        };
    }

    /// <summary>
    /// An integration as a plugin sees it, with the files atmos writes for it resolved as real atmos resolves them: a
    /// cluster integration's kubeconfig (<c>spec.cluster.kubeconfig.path</c>, else <c>&lt;atmos config home&gt;/kube/config</c>;
    /// <c>pkg/auth/cloud/kube/config.go</c>) and a registry integration's Docker config
    /// (<c>${DOCKER_CONFIG:-~/.docker}/config.json</c>; <c>pkg/auth/cloud/docker/config.go</c>).
    /// </summary>
    /// <param name="integration">The integration.</param>
    /// <param name="owners">The identities and providers of the scope that own it.</param>
    public IntegrationTarget IntegrationTarget(IntegrationConfig integration, IReadOnlyList<string> owners)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var files = new List<string>();
        if (integration.Settings.GetSection("spec.cluster") is { } cluster)
        {
            var configured = cluster.GetString("kubeconfig.path");
            files.Add(string.IsNullOrWhiteSpace(configured)
                ? Path.Join(BasePaths.AtmosConfigHome(Paths), "kube", "config")
                : Path.GetFullPath(PathExpansion.ExpandTilde(configured, Paths.Home) ?? configured, Paths.WorkingDirectory));
        }

        if (integration.Settings.GetSection("spec.registry") is not null || integration.Kind == "aws/ecr-public")
        {
            var dockerConfig = Paths.Environment.TryGetValue("DOCKER_CONFIG", out var folder) && folder.Length > 0
                ? Path.GetFullPath(folder, Paths.WorkingDirectory)
                : Path.Join(Paths.Home, ".docker");
            files.Add(Path.Join(dockerConfig, "config.json"));
        }

        return new IntegrationTarget(integration.Name, integration.Kind, owners, integration.Settings) { Files = files };
    }

    /// <summary>The provider as a plugin sees it, with every folder of it resolved for <paramref name="cloud"/>.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="cloud">Its plugin's cloud folder name.</param>
    public ProviderTarget ProviderTarget(ProviderConfig provider, string cloud)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var folders = BasePaths.Folders(provider.Name, provider.BasePath, cloud, Realm.Value, Paths, DefaultFolders(cloud));
        return new ProviderTarget(provider.Name, provider.Kind, folders[0].BaseFolder, folders[0].Folder, provider.BasePath is null, provider.Settings)
        {
            Folders = folders,
        };
    }

    // The default base folders of a cloud are the same for every provider of the run: worked out once, not once per
    // provider (a thousand providers asked the environment and joined the same paths a thousand times).
    private IReadOnlyList<string> DefaultFolders(string cloud)
    {
        if (_defaults is { } known && known.Cloud == cloud)
        {
            return known.Folders;
        }

        var folders = BasePaths.DefaultFolders(cloud, Realm.Value, Paths);
        _defaults = new CloudDefaults(cloud, folders);
        return folders;
    }

    private sealed record CloudDefaults(string Cloud, IReadOnlyList<string> Folders);
}
