using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Docs;

/// <summary>
/// docs/lifecycle.md draws the phases of a run from <see cref="RunPhases"/>, the Stateless machine the fold and the
/// decider use, so the picture cannot drift from the code. After changing the table, regenerate it with
/// <c>ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle</c> and review the diff.
/// </summary>
public sealed class LifecycleDocTests
{
    private const string Begin = "<!-- BEGIN generated from RunPhases: edit the code, not this block -->";
    private const string End = "<!-- END generated -->";

    private static string DocPath => Path.Join(RepoPaths.Root, "docs", "lifecycle.md");

    /// <summary>The generated block: Stateless's Mermaid export of the machine (rendered by GitHub).</summary>
    public static string Generated() => $"{Begin}\n```mermaid\n{RunPhases.Diagram().ReplaceLineEndings("\n").TrimEnd()}\n```\n{End}";

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
            $"docs/lifecycle.md is out of date with RunPhases; regenerate it with ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle and review the diff.\nExpected:\n{generated}");
    }
}
