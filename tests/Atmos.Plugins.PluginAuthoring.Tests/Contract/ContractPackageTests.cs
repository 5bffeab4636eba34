using System.IO.Compression;
using System.Xml.Linq;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.PluginAuthoring.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Contract;

/// <summary><c>dotnet pack src/Contracts</c> gives the package plugin authors reference.</summary>
public sealed class ContractPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atmos-contract-pack-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Packing_the_contract_gives_its_versioned_package_with_xml_docs_the_readme_and_no_dependencies()
    {
        var package = Path.Join(_folder, $"Atmos.Plugins.Contracts.{ContractVersion.Major}.{ContractVersion.Minor}.0.nupkg");
        Dotnet.PackContract(_folder, Path.Join(_folder, "nuspec"));

        Assert.True(File.Exists(package), $"expected {Path.GetFileName(package)} in {string.Join(", ", Directory.GetFiles(_folder).Select(Path.GetFileName))}");
        using var zip = ZipFile.OpenRead(package);
        Assert.Equal(
            ["Atmos.Plugins.Contracts.nuspec", "README.md", "build/Atmos.Plugins.Contracts.targets", "buildTransitive/Atmos.Plugins.Contracts.targets", "lib/net10.0/Atmos.Plugins.Contracts.dll", "lib/net10.0/Atmos.Plugins.Contracts.xml"],
            zip.Entries.Select(e => e.FullName).Where(n => !n.StartsWith('_') && !n.StartsWith('[') && !n.StartsWith("package/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        var nuspec = Xml(zip, "Atmos.Plugins.Contracts.nuspec");
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("Atmos.Plugins.Contracts", metadata.Element(ns + "id")!.Value);
        Assert.Equal($"{ContractVersion.Major}.{ContractVersion.Minor}.0", metadata.Element(ns + "version")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "authors")?.Value));
        Assert.Contains("IProviderPlugin", metadata.Element(ns + "description")!.Value, StringComparison.Ordinal);
        var groups = metadata.Element(ns + "dependencies")!.Elements(ns + "group").ToList();
        Assert.All(groups, g => Assert.Empty(g.Elements()));

        // Every public type is documented (the compiler already refuses an undocumented member: warnings are errors).
        var documented = Xml(zip, "lib/net10.0/Atmos.Plugins.Contracts.xml").Descendants("member").Select(m => m.Attribute("name")!.Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(typeof(IProviderPlugin).Assembly.GetExportedTypes(), t => Assert.Contains($"T:{t.FullName}", documented));
    }

    private static XDocument Xml(ZipArchive zip, string entry)
    {
        using var stream = zip.GetEntry(entry)!.Open();
        return XDocument.Load(stream);
    }
}
