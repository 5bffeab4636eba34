using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Docs;

/// <summary>
/// docs/lifecycle.md shows the Stateless machine of <see cref="LogoutLifecycle"/> as exported by the machine itself, so
/// the picture cannot drift from the code. After changing the lifecycle, regenerate it with
/// <c>ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle</c> and review the diff.
/// </summary>
public sealed class LifecycleDocTests
{
    private const string Begin = "<!-- BEGIN generated from LogoutLifecycle: edit the code, not this block -->";
    private const string End = "<!-- END generated -->";

    private static string DocPath => Path.Join(RepoPaths.Root, "docs", "lifecycle.md");

    /// <summary>The generated block: the Mermaid diagram (rendered by GitHub) and the DOT graph (for Graphviz).</summary>
    public static string Generated()
    {
        var lifecycle = new LogoutLifecycle();
        static string Normalized(string text) => text.ReplaceLineEndings("\n").TrimEnd();
        return $"""
            {Begin}
            ```mermaid
            {Normalized(lifecycle.ToMermaidGraph())}
            ```

            The same graph in DOT (`dot -Tsvg`):

            ```dot
            {Normalized(lifecycle.ToDotGraph())}
            ```
            {End}
            """;
    }

    [Fact]
    public void The_committed_diagram_is_the_one_the_machine_exports()
    {
        var document = File.ReadAllText(DocPath).ReplaceLineEndings("\n");
        var start = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{DocPath} has no generated block between '{Begin}' and '{End}'");
        var committed = document[start..(end + End.Length)];

        var generated = Generated();
        if (committed != generated && Environment.GetEnvironmentVariable("ATMOS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(DocPath, document[..start] + generated + document[(end + End.Length)..]);
            return;
        }

        Assert.True(
            committed == generated,
            $"docs/lifecycle.md is out of date with LogoutLifecycle; regenerate it with ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle and review the diff.\nExpected:\n{generated}");
    }
}
