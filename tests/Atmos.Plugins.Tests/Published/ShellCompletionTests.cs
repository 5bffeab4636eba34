using System.Text.RegularExpressions;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>The README's bash completion function, run by bash against the published atmos, as a user's shell runs it.</summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed partial class ShellCompletionTests(PublishedAtmos atmos) : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [RequiresProgramTheory("/bin/bash", "bash")]
    [InlineData("atmos auth logout pro", new[] { "prod-admin" })]
    [InlineData("atmos auth logout --provider aws", new[] { "aws-sso" })]
    [InlineData("atmos auth logout dev-", new[] { "dev-admin", "dev-org-admin", "dev-readonly" })]
    public void The_readme_function_completes_a_partial_name_to_the_names_that_start_with_it(string line, string[] expected)
    {
        var project = Path.GetDirectoryName(AwsTree.Seed(_home))!;
        var words = line.Split(' ');
        var script = string.Join('\n',
            ReadmeFunction(),
            $"COMP_LINE='{line}'; COMP_POINT={line.Length}; COMP_WORDS=({line}); COMP_CWORD={words.Length - 1}",
            "_atmos",
            "printf '%s\\n' \"${COMPREPLY[@]}\"");
        var environment = Processes.IsolatedEnvironment(_home);
        environment["PATH"] = $"{atmos.Folder}:{Environment.GetEnvironmentVariable("PATH")}";

        var result = Processes.Run("/bin/bash", ["--norc", "-c", script], environment, project);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    // The function the README tells bash users to add to ~/.bashrc (the block after "for bash without dotnet-suggest").
    private static string ReadmeFunction()
    {
        var readme = File.ReadAllText(Path.Join(RepoPaths.Root, "README.md"));
        var block = BashBlock().Matches(readme).Select(m => m.Groups[1].Value).Single(b => b.Contains("_atmos()", StringComparison.Ordinal));
        return string.Join('\n', block.Split('\n').Where(l => !l.StartsWith("complete ", StringComparison.Ordinal)));
    }

    [GeneratedRegex("```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
