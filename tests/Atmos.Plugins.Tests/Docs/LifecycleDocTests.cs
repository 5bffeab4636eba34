using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Docs;

/// <summary>
/// docs/lifecycle.md draws the phases of a run from <see cref="RunPhases.Transitions"/>, the table the fold and the
/// decider use, so the picture cannot drift from the code. After changing the table, regenerate it with
/// <c>ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle</c> and review the diff.
/// </summary>
public sealed class LifecycleDocTests
{
    private const string Begin = "<!-- BEGIN generated from RunPhases.Transitions: edit the code, not this block -->";
    private const string End = "<!-- END generated -->";

    private static string DocPath => Path.Join(RepoPaths.Root, "docs", "lifecycle.md");

    /// <summary>The generated block: a Mermaid state diagram (rendered by GitHub), one arrow per pair of phases.</summary>
    public static string Generated()
    {
        var arrows = RunPhases.Transitions
            .Where(t => t.From != t.To)
            .GroupBy(t => (t.From, t.To))
            .Select(g => $"    {g.Key.From} --> {g.Key.To} : {string.Join(", ", g.Select(t => t.Event.Name))}");
        var loops = RunPhases.Transitions
            .Where(t => t.From == t.To)
            .GroupBy(t => t.From)
            .Select(g => $"    {g.Key} --> {g.Key} : {string.Join(", ", g.Select(t => t.Event.Name))}");
        return $"""
            {Begin}
            ```mermaid
            stateDiagram-v2
                [*] --> {RunPhase.Created}
            {string.Join("\n", arrows.Concat(loops))}
                {RunPhase.Completed} --> [*]
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
            $"docs/lifecycle.md is out of date with RunPhases.Transitions; regenerate it with ATMOS_UPDATE_DOCS=1 scripts/test --filter Lifecycle and review the diff.\nExpected:\n{generated}");
    }
}
