using System.Text;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Safety;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Edit_replaces_the_file_with_mode_0600_and_leaves_only_its_lock_file()
    {
        var path = _home.Write("f/credentials", "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var outcome = AtomicFile.Edit(path, _ => FileEdit.Replace(Encoding.UTF8.GetBytes("new")), TimeSpan.FromSeconds(1));

        Assert.Equal(EditOutcome.Replaced, outcome);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["credentials", "credentials.lock"], Directory.GetFileSystemEntries(_home.PathOf("f")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Edit_of_a_missing_file_or_folder_touches_nothing()
    {
        Assert.Equal(EditOutcome.Missing, AtomicFile.Edit(_home.PathOf("nope/credentials"), _ => FileEdit.Delete, TimeSpan.FromSeconds(1)));
        Directory.CreateDirectory(_home.PathOf("empty"));
        Assert.Equal(EditOutcome.Missing, AtomicFile.Edit(_home.PathOf("empty/credentials"), _ => FileEdit.Delete, TimeSpan.FromSeconds(1)));
        Assert.Empty(Directory.GetFileSystemEntries(_home.PathOf("empty")));
    }

    [Fact]
    public void An_edit_that_throws_leaves_the_file_byte_for_byte()
    {
        var path = _home.Write("f/credentials", "[a]\nk = v\n");
        Assert.Throws<MalformedFileException>(() => AtomicFile.Edit(path, _ => throw new MalformedFileException(path, 1, "bad"), TimeSpan.FromSeconds(1)));
        Assert.Equal("[a]\nk = v\n", File.ReadAllText(path));
        Assert.Equal(["credentials", "credentials.lock"], Directory.GetFileSystemEntries(_home.PathOf("f")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_symbolic_link_is_refused_and_its_target_untouched()
    {
        var target = Path.Join(_home.Root, "real-credentials");
        File.WriteAllText(target, "[a]\n");
        Directory.CreateDirectory(_home.PathOf("f"));
        File.CreateSymbolicLink(_home.PathOf("f/credentials"), target);

        Assert.Throws<UnsafePathException>(() => AtomicFile.Edit(_home.PathOf("f/credentials"), _ => FileEdit.Delete, TimeSpan.FromSeconds(1)));
        Assert.Equal("[a]\n", File.ReadAllText(target));
    }

    [Fact]
    public void Stale_temporaries_from_a_killed_process_are_cleaned_by_the_next_edit()
    {
        var path = _home.Write("f/credentials", "x");
        _home.Write("f/.credentials.0123456789abcdef.atmos-tmp", "half written");
        _home.Write("f/.other.0123.atmos-tmp", "belongs to another file");

        AtomicFile.Edit(path, _ => FileEdit.Replace("y"u8.ToArray()), TimeSpan.FromSeconds(1));

        Assert.Equal([".other.0123.atmos-tmp", "credentials", "credentials.lock"], Directory.GetFiles(_home.PathOf("f")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_lock_excludes_other_holders_and_times_out_with_a_clear_error()
    {
        var path = _home.Write("f/credentials", "x");
        using (FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
        {
            var error = Assert.Throws<LockTimeoutException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(150)));
            Assert.Contains("locked by another process", error.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(path + ".lock"));
        }

        // The lock file stays at its stable path (real atmos and flock(1) lock the same file) and is free again.
        Assert.True(File.Exists(path + ".lock"));
        using (FileLock.Acquire(path, TimeSpan.FromMilliseconds(150)))
        {
        }
    }

    [Fact]
    public void Concurrent_editors_never_lose_an_update()
    {
        var path = _home.Write("f/counter", "0");
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            AtomicFile.Edit(path, bytes => FileEdit.Replace(Encoding.UTF8.GetBytes((int.Parse(Encoding.UTF8.GetString(bytes), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))), TimeSpan.FromSeconds(30)));

        Assert.Equal("64", File.ReadAllText(path));
        Assert.Equal(["counter", "counter.lock"], Directory.GetFileSystemEntries(_home.PathOf("f")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
