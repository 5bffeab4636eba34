using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.PluginAuthoring.Tests.Contract;

/// <summary>
/// docs/writing-a-plugin.md's reference names every public type and namespace of the contract: a type added to the
/// contract and left out of the guide fails here.
/// </summary>
public sealed class GuideReferenceTests
{
    [Fact]
    public void The_guide_reference_names_every_public_type_and_namespace_of_the_contract()
    {
        var guide = File.ReadAllText(Path.Join(RepoPaths.Root, "docs", "writing-a-plugin.md"));
        var start = guide.IndexOf("## Reference: every public type", StringComparison.Ordinal);
        Assert.True(start >= 0, "the guide has no reference section");
        var reference = guide[start..guide.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var types = typeof(IProviderPlugin).Assembly.GetExportedTypes().Where(t => !t.IsNested).ToList();

        Assert.All(types.Select(t => t.Namespace!).Distinct(), ns => Assert.Contains($"**`{ns}`**", reference, StringComparison.Ordinal));
        Assert.All(types, t => Assert.True(reference.Contains($"`{t.Name}`", StringComparison.Ordinal), $"the guide's reference does not name {t.FullName}"));
    }
}
