using System.Text.RegularExpressions;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Docs;

/// <summary>
/// Every provider setting the AWS plugin reads is documented in the README's configuration section: a user cannot
/// guess a key (issue 20: <c>sso_session</c>, which names the AWS CLI's token file, was read but never mentioned).
/// </summary>
public sealed partial class ReadmeSettingsTests
{
    [Fact]
    public void Every_provider_setting_the_aws_plugin_reads_is_in_the_readme()
    {
        var source = string.Concat(Directory.EnumerateFiles(Path.Join(RepoPaths.Root, "plugins", "Aws"), "*.cs").Select(File.ReadAllText));
        var settings = ProviderSetting().Matches(source).Select(m => m.Groups[1].Value)
            .Concat(SessionSettings().Match(source).Groups[1].Value.Split(',').Select(s => s.Trim().Trim('"')))
            .Where(s => s.Length > 0)
            .Distinct()
            .ToList();
        var configuration = Section(File.ReadAllText(Path.Join(RepoPaths.Root, "README.md")), "## Configuration");

        Assert.Contains("sso_session", settings);
        Assert.All(settings, setting => Assert.True(
            configuration.Contains($"{setting.Split('.')[^1]}:", StringComparison.Ordinal) || configuration.Contains($"`{setting}`", StringComparison.Ordinal),
            $"the README's configuration section does not document the provider setting '{setting}'"));
    }

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading + "\n", StringComparison.Ordinal);
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return markdown[start..(end < 0 ? markdown.Length : end)];
    }

    [GeneratedRegex("""provider\.Settings\.GetString\("([^"]+)"\)""")]
    private static partial Regex ProviderSetting();

    [GeneratedRegex("""foreach \(var setting in new\[\] \{([^}]*)\}""")]
    private static partial Regex SessionSettings();
}
