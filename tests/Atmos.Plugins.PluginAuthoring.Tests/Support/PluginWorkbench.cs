using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Support;

/// <summary>
/// Builds every plugin the authoring tests use, once per run, the way a third party would: outside the solution, in a
/// temp folder, against the contract packed into a local feed (plus the normal registry for their own dependencies).
/// <list type="bullet">
/// <item><c>samples/AcmePlugin</c> as it is in the repository, and a plugin made from it with <c>dotnet new atmos-plugin</c>;</item>
/// <item><c>TestPlugins/*</c>: plugins carrying their own YamlDotNet or Newtonsoft.Json, plugins that misbehave, and
/// plugins compiled against copies of the contract built with other assembly versions.</item>
/// </list>
/// </summary>
/// <remarks>
/// The contract is packed with a version of its own (<c>1.0.0-test.…</c>) so that NuGet's global package cache can never
/// hand the builds a stale copy of an earlier 1.0.0; that one cache entry is removed again at the end.
/// </remarks>
public sealed class PluginWorkbench : IDisposable
{
    /// <summary>Assembly versions of the contract copies that the mismatched test plugins compile against.</summary>
    private static readonly string[] OtherContracts = ["2.0", "1.5"];

    public PluginWorkbench()
    {
        Root = Directory.CreateTempSubdirectory("atmos-plugin-authoring-").FullName;
        ContractPackageVersion = $"{ContractVersion.Major}.{ContractVersion.Minor}.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            var feed = Path.Join(Root, "feed");
            Dotnet.PackContract(feed, Path.Join(Root, "nuspec"), ContractPackageVersion);

            Copy(Path.Join(RepoPaths.Root, "samples", "AcmePlugin"), Path.Join(Root, "samples", "AcmePlugin"));
            Copy(Path.Join(RepoPaths.Root, "tests", "Atmos.Plugins.PluginAuthoring.Tests", "TestPlugins"), Path.Join(Root, "test-plugins"));
            WriteContractCopies();

            // The template, installed into a private hive so the machine's own template list is not touched.
            var hive = Path.Join(Root, "template-hive");
            Dotnet.Run(Root, "new", "install", Path.Join(RepoPaths.Root, "samples", "AcmePlugin"), "--debug:custom-hive", hive);
            Dotnet.Run(Root, "new", "atmos-plugin", "-n", "Contoso", "-o", Path.Join(Root, "samples", "Contoso"), "--debug:custom-hive", hive);

            File.WriteAllText(Path.Join(Root, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="atmos-contract-under-test" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            // The plugins, published; the samples' test projects are built and run by the test that checks them.
            var projects = Directory.EnumerateFiles(Path.Join(Root, "samples"), "*.csproj", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(Path.Join(Root, "test-plugins"), "*.csproj", SearchOption.AllDirectories))
                .Where(p => !p.EndsWith(".Tests.csproj", StringComparison.Ordinal))
                .Select(p => $"  <Project Path=\"{Path.GetRelativePath(Root, p)}\" />");
            File.WriteAllText(Path.Join(Root, "plugins.slnx"), $"<Solution>\n{string.Join('\n', projects)}\n</Solution>\n");

            Dotnet.Run(Root, "publish", "plugins.slnx", "-c", "Release", $"-p:AtmosContractsVersion={ContractPackageVersion}", "--nologo", "-v", "q", "-nodeReuse:false");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temp folder everything is built in.</summary>
    public string Root { get; }

    /// <summary>The version the contract was packed with for these builds.</summary>
    public string ContractPackageVersion { get; }

    /// <summary>The sample plugin's published assembly (<c>samples/AcmePlugin</c>).</summary>
    public string Acme => Published(Path.Join("samples", "AcmePlugin"), "Acme.AtmosPlugin");

    /// <summary>The plugin made with <c>dotnet new atmos-plugin -n Contoso</c>.</summary>
    public string Contoso => Published(Path.Join("samples", "Contoso"), "Contoso.AtmosPlugin");

    /// <summary>The test project the template made beside the Contoso plugin (<c>dotnet new atmos-plugin</c>).</summary>
    public string ContosoTests => Path.Join(Root, "samples", "Contoso", "Tests", "ContosoPlugin.Tests.csproj");

    /// <summary>Runs <c>dotnet test</c> on a project of the workbench, as its author would (the contract from the feed).</summary>
    public void Test(string project) =>
        Dotnet.Run(Root, "test", project, "-c", "Release", $"-p:AtmosContractsVersion={ContractPackageVersion}", "--nologo", "-v", "q", "-nodeReuse:false");

    /// <summary>A test plugin's published assembly, by its folder under <c>TestPlugins/</c>.</summary>
    public string TestPlugin(string name) => Published(Path.Join("test-plugins", name), $"TestPlugin.{name}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }

        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var entry = Path.Join(cache, "atmos.plugins.contracts", ContractPackageVersion.ToLowerInvariant());
        if (Directory.Exists(entry))
        {
            Directory.Delete(entry, recursive: true);
        }
    }

    private string Published(string project, string assembly) =>
        Path.Join(Root, project, "bin", "Release", "net10.0", "publish", assembly + ".dll");

    // The contract project as it is, built with another assembly version (and without the repository's build-only
    // analyzers): what a plugin built for another contract references.
    private void WriteContractCopies()
    {
        var contracts = Path.Join(Root, "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Join(contracts, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <LangVersion>latest</LangVersion>
              </PropertyGroup>
            </Project>
            """);
        foreach (var version in OtherContracts)
        {
            var folder = Path.Join(contracts, version);
            Copy(Path.Join(RepoPaths.Root, "src", "Contracts"), folder);
            File.WriteAllText(Path.Join(folder, "Directory.Build.targets"), $"""
                <Project>
                  <PropertyGroup>
                    <AssemblyVersion>{version}.0.0</AssemblyVersion>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Remove="Microsoft.CodeAnalysis.PublicApiAnalyzers" />
                  </ItemGroup>
                </Project>
                """);
        }
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Join(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>The authoring tests share one workbench (the builds) and one published atmos.</summary>
[CollectionDefinition(Name)]
public sealed class PluginAuthoringCollection : ICollectionFixture<PluginWorkbench>, ICollectionFixture<PublishedAtmos>
{
    public const string Name = "plugin authoring";
}
