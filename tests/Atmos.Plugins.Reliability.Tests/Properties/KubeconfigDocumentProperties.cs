using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Integrations;
using Atmos.Plugins.Reliability.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// Properties of the kubeconfig editor over generated kubeconfigs (entries in every shape client-go and people write,
/// comments between them, quoting, CRLF, a BOM): removing entries gives exactly the bytes of the model (docs/decisions.md
/// §13) and keeps every other byte; the result reads back with exactly the other entries; removing again changes nothing.
/// </summary>
public sealed class KubeconfigDocumentProperties(ScratchFiles files) : IClassFixture<ScratchFiles>
{
    [ScaledProperty(500)]
    public Property Removing_entries_equals_the_model() => Prop.ForAll(KubeconfigCases.Documents.ToArbitrary(), document =>
    {
        var edit = KubeconfigDocument.Parse(document.Bytes, "config").Remove(document.Removed("clusters"), document.Removed("contexts"), document.Removed("users"));

        if (document.RemovedCount == 0)
        {
            Assert.Equal(FileEditKind.Unchanged, edit.Kind);
        }
        else if (document.NothingLeft)
        {
            Assert.Equal(FileEditKind.Delete, edit.Kind);
        }
        else
        {
            Assert.Equal(FileEditKind.Replace, edit.Kind);
            FileChecks.Equal(document.Expected, edit.Content!, "the edited kubeconfig");
        }
    });

    [ScaledProperty(200)]
    public Property The_result_reads_back_with_the_other_entries_and_removing_again_changes_nothing() => Prop.ForAll(KubeconfigCases.Documents.ToArbitrary(), document =>
    {
        var before = KubeconfigDocument.Parse(document.Bytes, "config");
        var (clusters, contexts, users) = (document.Removed("clusters"), document.Removed("contexts"), document.Removed("users"));
        var edit = before.Remove(clusters, contexts, users);
        if (edit.Kind != FileEditKind.Replace)
        {
            return;
        }

        var after = KubeconfigDocument.Parse(edit.Content!, "config");
        Assert.Equal(before.Clusters.Where(c => !clusters.Contains(c.Name)), after.Clusters);
        Assert.Equal(before.Contexts.Where(c => !contexts.Contains(c.Name)), after.Contexts);
        Assert.Equal(before.Users.Where(u => !users.Contains(u.Name)), after.Users);
        Assert.Equal(before.CurrentContext is { } current && contexts.Contains(current) ? null : before.CurrentContext, after.CurrentContext);
        Assert.Equal(FileEditKind.Unchanged, after.Remove(clusters, contexts, users).Kind);
    });

    [ScaledProperty(100)]
    public Property Through_a_locked_atomic_edit_the_file_is_the_model() => Prop.ForAll(KubeconfigCases.Documents.ToArbitrary(), document =>
    {
        var path = files.Write("config", document.Bytes);

        var outcome = AtomicFile.Edit(Path.GetDirectoryName(path)!, path, bytes => KubeconfigDocument.Parse(bytes, path).Remove(document.Removed("clusters"), document.Removed("contexts"), document.Removed("users")), ScratchFiles.LockTimeout);

        if (document.RemovedCount == 0)
        {
            Assert.Equal(EditOutcome.Unchanged, outcome);
            FileChecks.Equal(document.Bytes, File.ReadAllBytes(path), "the kubeconfig");
        }
        else if (document.NothingLeft)
        {
            Assert.Equal(EditOutcome.Deleted, outcome);
            Assert.False(File.Exists(path));
        }
        else
        {
            Assert.Equal(EditOutcome.Replaced, outcome);
            FileChecks.Equal(document.Expected, File.ReadAllBytes(path), "the kubeconfig");
        }
    });
}
