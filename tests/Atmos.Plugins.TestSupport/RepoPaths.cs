using System.Reflection;

namespace Atmos.Plugins.Tests.Support;

/// <summary>Where the repository and the built host are.</summary>
public static class RepoPaths
{
    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The repository root.</summary>
    public static string Root => Metadata("RepoRoot");

    /// <summary>The host's build output: atmos, plugins.json, plugins/.</summary>
    public static string HostOutput => Metadata("HostOutputDir");

    /// <summary>The built-in manifest of the built host.</summary>
    public static string BuiltManifest => Path.Join(HostOutput, "plugins.json");
}
