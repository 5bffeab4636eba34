using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// Properties of the byte-preserving JSON editor over documents in arbitrary layouts: removing marked members and
/// elements gives exactly the bytes of the model (docs/decisions.md §13), which are valid JSON; removing nothing changes
/// nothing; removing again what is gone changes nothing; through a locked atomic edit the file ends as the model says;
/// invalid JSON is refused and never rewritten.
/// </summary>
public sealed class JsonTextProperties(ScratchFiles files) : IClassFixture<ScratchFiles>
{
    [ScaledProperty(500)]
    public Property Removing_marked_items_equals_the_model() => Prop.ForAll(JsonTextCases.Documents.ToArbitrary(), document =>
    {
        var edit = JsonText.Parse(document.Bytes, "config.json").RemoveWhere(item => document.IsMarked(item.Parent, item.Index), out var removed);

        Assert.Equal(document.MarkedCount, removed);
        if (removed == 0)
        {
            Assert.Equal(FileEditKind.Unchanged, edit.Kind);
            return;
        }

        Assert.Equal(FileEditKind.Replace, edit.Kind);
        FileChecks.Equal(document.Expected, edit.Content!, "the edited document");
        using (JsonDocument.Parse(edit.Content!.AsMemory(document.Bom ? 3 : 0)))
        {
            // valid JSON
        }
    });

    [ScaledProperty(200)]
    public Property Removing_nothing_or_removing_again_changes_nothing() => Prop.ForAll(JsonTextCases.Documents.ToArbitrary(), document =>
    {
        Assert.Equal(FileEditKind.Unchanged, JsonText.Parse(document.Bytes).RemoveWhere(_ => false, out var none).Kind);
        Assert.Equal(0, none);

        // The same selection by value again, on the result: members are found by name, so nothing is left to remove.
        var names = new HashSet<(string, string)>();
        var first = JsonText.Parse(document.Bytes).RemoveWhere(
            item =>
            {
                var marked = item.Name is not null && document.IsMarked(item.Parent, item.Index);
                if (marked)
                {
                    names.Add((item.Parent, item.Name!));
                }

                return marked;
            },
            out _);
        var after = first.Kind == FileEditKind.Replace ? first.Content! : document.Bytes;
        var again = JsonText.Parse(after).RemoveWhere(item => item.Name is not null && names.Contains((item.Parent, item.Name)), out var removedAgain);
        Assert.Equal(FileEditKind.Unchanged, again.Kind);
        Assert.Equal(0, removedAgain);
    });

    [ScaledProperty(150)]
    public Property Through_a_locked_atomic_edit_the_file_is_the_model_and_no_temporary_is_left() => Prop.ForAll(JsonTextCases.Documents.ToArbitrary(), document =>
    {
        var path = files.Write("config.json", document.Bytes);

        var outcome = JsonText.Edit(Path.GetDirectoryName(path)!, path, item => document.IsMarked(item.Parent, item.Index), ScratchFiles.LockTimeout);

        Assert.Equal(document.MarkedCount == 0 ? EditOutcome.Unchanged : EditOutcome.Replaced, outcome);
        FileChecks.Equal(document.MarkedCount == 0 ? document.Bytes : document.Expected, File.ReadAllBytes(path), "the file");
        // The lock file stays, as atmos's and every flock user's do (docs/reliability.md); no temporary is left.
        Assert.Equal(["config.json", "config.json" + FileLock.Suffix], FileChecks.Names(Path.GetDirectoryName(path)!));
    });

    [ScaledProperty(200)]
    public Property Invalid_json_is_refused_and_never_rewritten() => Prop.ForAll(JsonCases.Broken.ToArbitrary(), broken =>
    {
        var path = files.Write("config.json", broken.Bytes);
        var asked = false;

        Assert.Throws<MalformedFileException>(() => JsonText.Edit(Path.GetDirectoryName(path)!, path, _ => asked = true, ScratchFiles.LockTimeout));

        Assert.False(asked);
        FileChecks.Equal(broken.Bytes, File.ReadAllBytes(path), "the invalid file");
    });
}
