using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Azure.Tests;

/// <summary>The contract's multi-file edit that the Azure profile and MSAL cache are changed with.</summary>
public sealed class AtomicFileEditAllTests : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMilliseconds(300);
    private readonly PluginTestHome _home = new("azure");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Every_file_is_read_and_decided_before_any_is_written()
    {
        var first = PluginTestHome.Write(Path.Join(_home.Home, "a.json"), "first");
        var second = PluginTestHome.Write(Path.Join(_home.Home, "b.json"), "second");

        Assert.Throws<MalformedFileException>(() => AtomicFile.EditAll(
            [first, second],
            contents => contents[1]!.Length > 0 ? throw new MalformedFileException(second, 1, "is not valid JSON") : [FileEdit.Replace([1]), FileEdit.Unchanged],
            LockTimeout));
        Assert.Equal("first", File.ReadAllText(first));

        var outcomes = AtomicFile.EditAll(
            [second, first, Path.Join(_home.Home, "missing.json"), Path.Join(_home.Home, "no-folder", "c.json")],
            contents => [FileEdit.Replace("2"u8.ToArray()), FileEdit.Delete, FileEdit.Unchanged, FileEdit.Unchanged],
            LockTimeout);

        Assert.Equal([EditOutcome.Replaced, EditOutcome.Deleted, EditOutcome.Missing, EditOutcome.Missing], outcomes);
        Assert.Equal("2", File.ReadAllText(second));
        Assert.False(File.Exists(first));
        // Only the files that were there were locked; their lock files stay (docs/reliability.md).
        Assert.Equal(["a.json.lock", "b.json.lock"], Directory.EnumerateFiles(_home.Home, "*.lock").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_file_cannot_be_replaced_and_a_held_lock_times_out()
    {
        var present = PluginTestHome.Write(Path.Join(_home.Home, "a.json"), "a");
        var missing = Path.Join(_home.Home, "missing.json");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.EditAll([present, missing], _ => [FileEdit.Unchanged, FileEdit.Replace([1])], LockTimeout));

        using (FileLock.Acquire(present, LockTimeout))
        {
            Assert.Throws<LockTimeoutException>(() => AtomicFile.EditAll([missing, present], _ => [FileEdit.Unchanged, FileEdit.Delete], LockTimeout));
        }

        Assert.Equal("a", File.ReadAllText(present));
    }
}
