namespace Atmos.Plugins.Contracts;

/// <summary>
/// The version of this contract. A plugin is compiled against one contract version; the host loads it only when
/// the plugin's major version equals the host's and the plugin's minor version is not newer than the host's.
/// </summary>
public static class ContractVersion
{
    /// <summary>Incremented on a breaking change to any public member of this assembly.</summary>
    public const int Major = 1;

    /// <summary>Incremented when members are added without breaking existing plugins.</summary>
    public const int Minor = 2;

    /// <summary>The version as <c>major.minor</c>.</summary>
    public static Version Current { get; } = new(Major, Minor);

    /// <summary>
    /// Whether a plugin built against <paramref name="pluginContract"/> can be loaded by a host that implements
    /// <paramref name="hostContract"/>.
    /// </summary>
    /// <param name="pluginContract">The contract version the plugin was compiled against.</param>
    /// <param name="hostContract">The contract version the host implements.</param>
    public static bool IsCompatible(Version pluginContract, Version hostContract)
    {
        ArgumentNullException.ThrowIfNull(pluginContract);
        ArgumentNullException.ThrowIfNull(hostContract);
        return pluginContract.Major == hostContract.Major && pluginContract.Minor <= hostContract.Minor;
    }
}
