using System.Runtime.CompilerServices;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.PluginAuthoring.Tests.Contract;

/// <summary>
/// The contract is what third-party plugins compile against: any change to its public surface is a versioning
/// decision (SPEC §7), so it is snapshotted in <c>Atmos.Plugins.Contracts.api.txt</c> beside this file.
/// </summary>
public sealed class ContractApiTests
{
    private static readonly System.Reflection.Assembly Contract = typeof(IProviderPlugin).Assembly;

    [Fact]
    public void The_public_api_matches_the_approved_listing()
    {
        var approvedPath = Beside("Atmos.Plugins.Contracts.api.txt");
        var actual = PublicApi.Describe(Contract);
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : string.Empty;
        if (actual == approved)
        {
            return;
        }

        // Leave the new listing where a reviewer can diff it (git ignores __mismatch__/).
        var received = Beside(Path.Join("__mismatch__", "Atmos.Plugins.Contracts.api.txt"));
        Directory.CreateDirectory(Path.GetDirectoryName(received)!);
        File.WriteAllText(received, actual);
        var approvedLines = approved.Split('\n').ToHashSet(StringComparer.Ordinal);
        var actualLines = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
        var added = actual.Split('\n').Where(l => !approvedLines.Contains(l)).Select(l => "+ " + l);
        var removed = approved.Split('\n').Where(l => !actualLines.Contains(l)).Select(l => "- " + l);
        Assert.Fail(
            "The public API of Atmos.Plugins.Contracts changed. If that is intended, decide the contract version " +
            "(breaking: new major; additive: new minor; see docs/writing-a-plugin.md, \"Versioning\"), update " +
            $"ContractVersion and <ContractVersion> in the project, and copy {received} over {approvedPath}.\n" +
            string.Join('\n', removed.Concat(added)));
    }

    [Fact]
    public void The_contract_version_constants_are_the_assembly_version()
    {
        var version = Contract.GetName().Version!;

        Assert.Equal(new Version(ContractVersion.Major, ContractVersion.Minor, 0, 0), version);
        Assert.Equal(new Version(ContractVersion.Major, ContractVersion.Minor), ContractVersion.Current);
    }

    [Theory]
    [InlineData("1.0", "1.0", true)]
    [InlineData("1.0", "1.3", true)]
    [InlineData("1.3", "1.3", true)]
    [InlineData("1.4", "1.3", false)]
    [InlineData("2.0", "1.3", false)]
    [InlineData("0.9", "1.3", false)]
    public void A_plugin_is_compatible_with_the_same_major_and_a_minor_not_newer_than_the_hosts(string plugin, string host, bool compatible) =>
        Assert.Equal(compatible, ContractVersion.IsCompatible(Version.Parse(plugin), Version.Parse(host)));

    [Fact]
    public void The_contract_references_nothing_but_the_base_library()
    {
        var references = Contract.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name is "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal), $"the contract references {name}"));
    }

    private static string Beside(string name, [CallerFilePath] string test = "") => Path.Join(Path.GetDirectoryName(test)!, name);
}
