using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// Properties of the INI editor over generated documents: removing a section gives exactly the bytes of the model
/// (docs/decisions.md §6) and keeps every other byte; a malformed document is refused with its line number and, through
/// <see cref="AtomicFile.Edit"/>, never rewritten.
/// </summary>
public sealed class IniDocumentProperties(ScratchFiles files) : IClassFixture<ScratchFiles>
{
    [ScaledProperty(500)]
    public Property Removing_a_section_equals_the_model() => Prop.ForAll(IniCases.Documents.ToArbitrary(), document =>
    {
        var (expectedRemoved, expected) = document.ExpectedRemoval();

        var edit = IniDocument.Parse(document.Bytes, "credentials").RemoveSections(h => h == document.Target, out var removed);

        Assert.Equal(expectedRemoved, removed);
        switch (edit.Kind)
        {
            case FileEditKind.Unchanged:
                Assert.Equal(0, expectedRemoved);
                break;
            case FileEditKind.Delete:
                Assert.Null(expected);
                break;
            default:
                Assert.NotNull(expected);
                Assert.True(expectedRemoved > 0);
                FileChecks.Equal(expected, edit.Content!, "the edited document");
                break;
        }
    });

    [ScaledProperty(200)]
    public Property Every_section_name_is_found_in_file_order() => Prop.ForAll(IniCases.Documents.ToArbitrary(), document =>
    {
        var expected = document.Lines.Where(l => l.Kind == IniLineKind.Header).Select(l => l.Section!).ToList();
        Assert.Equal(expected, IniDocument.Parse(document.Bytes).SectionNames);
        Assert.Equal(expected, IniDocument.ReadSectionNames(document.Bytes));
    });

    [ScaledProperty(150)]
    public Property Removing_through_a_locked_atomic_edit_writes_the_model_and_leaves_nothing_behind() => Prop.ForAll(IniCases.Documents.ToArbitrary(), document =>
    {
        var (_, expected) = document.ExpectedRemoval();
        var path = files.Write("credentials", document.Bytes);

        var outcome = AtomicFile.Edit(path, bytes => IniDocument.Parse(bytes, path).RemoveSections(h => h == document.Target, out _), ScratchFiles.LockTimeout);

        if (expected is null)
        {
            Assert.Equal(EditOutcome.Deleted, outcome);
            ScratchFiles.AssertFolderHolds(path);
        }
        else
        {
            Assert.Equal(expected.AsSpan().SequenceEqual(document.Bytes) ? EditOutcome.Unchanged : EditOutcome.Replaced, outcome);
            FileChecks.Equal(expected, File.ReadAllBytes(path), "the file");
            ScratchFiles.AssertFolderHolds(path, "credentials");
        }
    });

    [ScaledProperty(300)]
    public Property A_malformed_document_is_refused_with_the_line_number() => Prop.ForAll(IniCases.Malformed.ToArbitrary(), bad =>
    {
        var error = Assert.Throws<MalformedFileException>(() => IniDocument.Parse(bad.Bytes, "/x/credentials"));
        var namesError = Assert.Throws<MalformedFileException>(() => IniDocument.ReadSectionNames(bad.Bytes, "/x/credentials"));

        Assert.Equal(error.Message, namesError.Message);
        Assert.Equal(bad.LineNumber, error.Line);
        Assert.Equal("/x/credentials", error.FilePath);
        Assert.StartsWith($"/x/credentials:{bad.LineNumber}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    });

    [ScaledProperty(150)]
    public Property A_malformed_file_is_never_rewritten() => Prop.ForAll(IniCases.Malformed.ToArbitrary(), bad =>
    {
        var content = bad.Bytes;
        var path = files.Write("credentials", content);

        var error = Assert.Throws<MalformedFileException>(() =>
            AtomicFile.Edit(path, bytes => IniDocument.Parse(bytes, path).RemoveSections(_ => true, out _), ScratchFiles.LockTimeout));

        Assert.Equal(bad.LineNumber, error.Line);
        FileChecks.Equal(content, File.ReadAllBytes(path), "the malformed file");
        ScratchFiles.AssertFolderHolds(path, "credentials");
    });
}
