using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>Dotted paths into a provider's or identity's settings.</summary>
public sealed class SettingsPathTests
{
    private static readonly Settings Sample = new(new Dictionary<string, object?>
    {
        ["region"] = "us-east-1",
        ["spec"] = new Settings(new Dictionary<string, object?>
        {
            ["sso_session"] = "org",
            ["files"] = new Settings(new Dictionary<string, object?> { ["base_path"] = "~/x" }),
            [""] = "empty key",
        }),
        [""] = new Settings(new Dictionary<string, object?> { ["a"] = "under an empty key" }),
        ["list"] = new List<object?> { "a" },
        ["null"] = null,
    });

    [Theory]
    [InlineData("region", "us-east-1")]
    [InlineData("spec.sso_session", "org")]
    [InlineData("spec.files.base_path", "~/x")]
    [InlineData("spec.", "empty key")]
    [InlineData(".a", "under an empty key")]
    [InlineData("spec.files", null)]
    [InlineData("spec.missing", null)]
    [InlineData("region.more", null)]
    [InlineData("spec..sso_session", null)]
    [InlineData("list", null)]
    [InlineData("null", null)]
    [InlineData("null.more", null)]
    [InlineData("", null)]
    [InlineData("missing", null)]
    public void A_dotted_path_finds_the_string_it_names(string path, string? expected)
    {
        Assert.Equal(expected, Sample.GetString(path));
    }

    [Fact]
    public void A_dotted_path_finds_a_nested_section()
    {
        Assert.Equal("~/x", Sample.GetSection("spec.files")?.GetString("base_path"));
        Assert.Null(Sample.GetSection("spec.sso_session"));
    }
}
