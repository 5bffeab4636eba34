using System.Reflection;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>Runs the .NET SDK as a plugin author would, failing with its whole output.</summary>
public static class Dotnet
{
    private static readonly Dictionary<string, string> Quiet = new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    };

    /// <summary>The configuration this test assembly (and so the contract it references) was built in.</summary>
    public static string Configuration =>
        typeof(Dotnet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static void Run(string workingDirectory, params string[] args)
    {
        var outcome = Processes.Run("dotnet", args, Quiet, workingDirectory, TimeSpan.FromMinutes(5));
        // `dotnet new` right after `dotnet new install` can trip over its own hive: the template engine re-reads
        // packages.json while it is still writing it and exits 70 "being used by another process" (seen on a loaded CI
        // machine). Nothing else uses the private hive, so trying again is the whole remedy.
        for (var attempt = 1; attempt < 4 && args is ["new", ..] && HiveWasBusy(outcome); attempt++)
        {
            Thread.Sleep(TimeSpan.FromSeconds(attempt));
            outcome = Processes.Run("dotnet", args, Quiet, workingDirectory, TimeSpan.FromMinutes(5));
        }

        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed ({outcome.ExitCode}) in {workingDirectory}:\n{outcome.Stdout}\n{outcome.Stderr}");
        }
    }

    private static bool HiveWasBusy(Processes.Outcome outcome) =>
        outcome.ExitCode == 70 && (outcome.Stdout + outcome.Stderr).Contains("being used by another process", StringComparison.Ordinal);

    /// <summary>
    /// <c>dotnet pack src/Contracts</c> from the contract this assembly was built with (no rebuild), into
    /// <paramref name="feed"/>; <paramref name="packageVersion"/> overrides the package version only.
    /// </summary>
    public static void PackContract(string feed, string scratch, string? packageVersion = null)
    {
        string[] args = ["pack", Path.Join(RepoPaths.Root, "src", "Contracts"), "--no-build", "-c", Configuration, "-o", feed, "--nologo", "-v", "q", $"-p:NuspecOutputPath={scratch}{Path.DirectorySeparatorChar}"];
        Run(RepoPaths.Root, packageVersion is null ? args : [.. args, $"-p:PackageVersion={packageVersion}"]);
    }
}
