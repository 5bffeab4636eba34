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

    /// <summary>Problems found loading and validating the config (and setting up the keyring); any error rejects the run.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; init; } = [];

    /// <summary>The default wait for a file lock.</summary>
    public static TimeSpan DefaultLockTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The chain graph of <see cref="Config"/>.</summary>
    public ConfigGraph Graph => _graph ??= new ConfigGraph(Config);

    /// <summary>The realm of this run (<c>ATMOS_AUTH_REALM</c>, else <c>auth.realm</c>); its problem, when invalid, is a config error.</summary>
    public AuthRealm Realm => _realm ??= AuthRealm.Resolve(Paths.Environment, Config);

    /// <summary>The environment handed to a plugin whose files live under <c>atmos/&lt;cloud&gt;</c>.</summary>
    /// <param name="cloud">The plugin's cloud folder name.</param>
    public PluginEnvironment EnvironmentFor(string cloud)
    {
        var defaults = BasePaths.DefaultFolders(cloud, Realm.Value, Paths);
        var cacheHome = PathExpansion.CacheHome(Paths.Environment, Paths.Home);
        var dataHome = PathExpansion.DataHome(Paths.Environment, Paths.Home);
        return new PluginEnvironment(Paths.Home, defaults[0], cacheHome, dataHome, LockTimeout, Clock, Paths.Environment)
        {
            Realm = Realm.Value,
            AtmosConfigHome = BasePaths.AtmosConfigHome(Paths),
            AtmosCacheHome = Path.Join(cacheHome, "atmos"),
            AtmosDataHome = Path.Join(dataHome, "atmos"),
            DefaultBaseFolders = defaults,
        };
    }

    /// <summary>The provider as a plugin sees it, with every folder of it resolved for <paramref name="cloud"/>.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="cloud">Its plugin's cloud folder name.</param>
    public ProviderTarget ProviderTarget(ProviderConfig provider, string cloud)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var folders = BasePaths.Folders(provider.Name, provider.BasePath, cloud, Realm.Value, Paths);
        return new ProviderTarget(provider.Name, provider.Kind, folders[0].BaseFolder, folders[0].Folder, provider.BasePath is null, provider.Settings)
        {
            Folders = folders,
        };
    }
}
