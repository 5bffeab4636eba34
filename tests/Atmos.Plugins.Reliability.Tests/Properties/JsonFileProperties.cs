using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// Properties of the JSON editor over generated files: an edit removes exactly the member it removes, every unknown
/// field survives, and the BOM, indentation, line endings and final newline of the original are kept (byte for byte);
/// invalid JSON is reported and the file is never rewritten.
/// </summary>
public sealed class JsonFileProperties(ScratchFiles files) : IClassFixture<ScratchFiles>
{
    [ScaledProperty(300)]
    public Property An_edit_keeps_unknown_fields_and_the_layout_byte_for_byte() => Prop.ForAll(JsonCases.Files.ToArbitrary(), file =>
    {
        var path = Write(file.Bytes);

        var outcome = JsonFile.Edit(path, node => node.AsObject().Remove(JsonCase.Target) ? FileEditKind.Replace : FileEditKind.Unchanged, ScratchFiles.LockTimeout);

        Assert.Equal(EditOutcome.Replaced, outcome);
        FileChecks.Equal(file.Expected, File.ReadAllBytes(path), "the edited file");
        ScratchFiles.AssertFolderHolds(path, "azureProfile.json");
    });

    [ScaledProperty(200)]
    public Property Parsing_and_writing_back_unchanged_reproduces_the_file() => Prop.ForAll(JsonCases.Files.ToArbitrary(), file =>
    {
        var node = JsonFile.Parse(file.Bytes, "f.json");

        FileChecks.Equal(file.Bytes, JsonFile.Serialize(node, file.Bytes), "the file written back");
    });

    [ScaledProperty(300)]
    public Property Invalid_json_is_reported_and_never_rewritten() => Prop.ForAll(JsonCases.Broken.ToArbitrary(), broken =>
    {
        var path = Write(broken.Bytes);
        var called = false;

        var error = Assert.Throws<MalformedFileException>(() => JsonFile.Edit(path, _ => { called = true; return FileEditKind.Delete; }, ScratchFiles.LockTimeout));

        Assert.False(called);
        Assert.Equal(path, error.FilePath);
        Assert.Matches(@"^(is not valid JSON|is JSON null, not an object)", error.Problem);
        Assert.DoesNotContain('\n', error.Message);
        FileChecks.Equal(broken.Bytes, File.ReadAllBytes(path), "the invalid file");
        ScratchFiles.AssertFolderHolds(path, "azureProfile.json");
    });

    [ScaledProperty(100)]
    public Property A_nested_member_of_the_same_name_is_not_touched() => Prop.ForAll(JsonCases.Files.ToArbitrary(), file =>
    {
        var wrapped = new JsonCase(new JsonValueCase.Object([new("outer", file.Root)]), file.Style);
        var path = Write(wrapped.Bytes);

        var outcome = JsonFile.Edit(path, node => node.AsObject().Remove(JsonCase.Target) ? FileEditKind.Replace : FileEditKind.Unchanged, ScratchFiles.LockTimeout);

        Assert.Equal(EditOutcome.Unchanged, outcome);
        FileChecks.Equal(wrapped.Bytes, File.ReadAllBytes(path), "the file");
        Assert.True(JsonNode.DeepEquals(JsonFile.Parse(wrapped.Bytes), JsonFile.Parse(File.ReadAllBytes(path))));
    });

    private string Write(byte[] content) => files.Write("azureProfile.json", content);
}
