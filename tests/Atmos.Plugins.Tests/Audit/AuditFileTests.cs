using System.Text;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Audit;

/// <summary>The audit file primitive: modes, locked one-write appends, symlink refusal, size rotation.</summary>
public sealed class AuditFileTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private string AuditPath => _home.PathOf(".local/state/atmos/audit.jsonl");

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    [Fact]
    public void The_first_append_creates_a_0700_folder_and_a_0600_file_and_later_ones_add_to_it()
    {
        AuditFile.Append(AuditPath, Lines("{\"type\":\"a\"}"), mayRotate: true, Wait);
        AuditFile.Append(AuditPath, Lines("{\"type\":\"b\"}", "{\"type\":\"c\"}"), mayRotate: true, Wait);

        Assert.Equal("{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\"}\n", File.ReadAllText(AuditPath));
        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath));
        Assert.Equal(AtomicFile.FolderMode0700, File.GetUnixFileMode(Path.GetDirectoryName(AuditPath)!));

        // The lock file stays at its stable path (docs/reliability.md): empty, private.
        Assert.Equal(0, new FileInfo(AuditPath + ".lock").Length);
        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath + ".lock"));
    }

    [Fact]
    public void An_existing_trail_is_appended_to_and_its_mode_never_changed()
    {
        _home.Write(".local/state/atmos/audit.jsonl", "{\"type\":\"old\"}\n");
        var widened = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(AuditPath, widened);

        AuditFile.Append(AuditPath, Lines("{\"type\":\"new\"}"), mayRotate: true, Wait);

        Assert.Equal(widened, File.GetUnixFileMode(AuditPath));
        Assert.Equal("{\"type\":\"old\"}\n{\"type\":\"new\"}\n", File.ReadAllText(AuditPath));
    }

    [Theory]
    [InlineData("export PATH=$HOME/bin:$PATH\n", "is not an atmos audit trail")]
    [InlineData("", null)]
    public void A_file_that_is_not_an_atmos_trail_is_refused_unchanged(string content, string? problem)
    {
        // auth.audit.path naming ~/.bashrc must neither append to it nor chmod it.
        var path = _home.Write(".bashrc", content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        if (problem is null)
        {
            // An empty file is a trail that has not started yet.
            AuditFile.Append(path, Lines("{\"type\":\"x\"}"), mayRotate: true, Wait);
            Assert.Equal("{\"type\":\"x\"}\n", File.ReadAllText(path));
            return;
        }

        var error = Assert.Throws<UnsafePathException>(() => AuditFile.Append(path, Lines("{\"type\":\"x\"}"), mayRotate: true, Wait));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_fifo_at_the_audit_path_fails_at_once_naming_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        Assert.Equal(0, Processes.Run("mkfifo", [AuditPath], new Dictionary<string, string>()).ExitCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<UnsafePathException>(() => AuditFile.Append(AuditPath, Lines("{\"type\":\"x\"}"), mayRotate: true, Wait));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Contains("is a FIFO (named pipe), not a regular file", error.Message, StringComparison.Ordinal);
        Assert.Contains(AuditPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_at_the_audit_path_is_refused_and_its_target_untouched()
    {
        var target = _home.Write("elsewhere.txt", "keep\n");
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        File.CreateSymbolicLink(AuditPath, target);

        Assert.Throws<UnsafePathException>(() => AuditFile.Append(AuditPath, Lines("{\"type\":\"x\"}"), mayRotate: true, Wait));
        Assert.Equal("keep\n", File.ReadAllText(target));
    }

    [Fact]
    public void A_full_file_is_rotated_before_a_first_append_keeping_three_generations()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        foreach (var (file, marker) in new[] { (AuditPath, "{\"type\":\"current\"}"), (AuditPath + ".1", "one"), (AuditPath + ".2", "two"), (AuditPath + ".3", "three") })
        {
            File.WriteAllText(file, marker + "\n");
        }

        // Sparse: 10 MiB of size without writing it.
        using (var full = new FileStream(AuditPath, FileMode.Open, FileAccess.Write))
        {
            full.SetLength(AuditFile.RotateAtBytes);
        }

        AuditFile.Append(AuditPath, Lines("{\"type\":\"next\"}"), mayRotate: true, Wait);

        Assert.Equal("{\"type\":\"next\"}\n", File.ReadAllText(AuditPath));
        Assert.StartsWith("{\"type\":\"current\"}\n", File.ReadAllText(AuditPath + ".1"), StringComparison.Ordinal);
        Assert.Equal("one\n", File.ReadAllText(AuditPath + ".2"));
        Assert.Equal("two\n", File.ReadAllText(AuditPath + ".3"));
        Assert.False(File.Exists(AuditPath + ".4"));
        Assert.Equal([AuditPath + ".1", AuditPath + ".2", AuditPath + ".3"], AuditFile.Generations(AuditPath));
        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath));
    }

    [Fact]
    public void A_later_batch_of_the_same_run_never_rotates_so_a_run_stays_in_one_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        using (var full = new FileStream(AuditPath, FileMode.Create, FileAccess.Write))
        {
            full.Write("{\"type\":\"first\"}\n"u8);
            full.SetLength(AuditFile.RotateAtBytes);
        }

        AuditFile.Append(AuditPath, Lines("{\"type\":\"same\"}"), mayRotate: false, Wait);

        Assert.False(File.Exists(AuditPath + ".1"));
        Assert.Equal(AuditFile.RotateAtBytes + 16, new FileInfo(AuditPath).Length);
    }

    [Fact]
    public async Task Concurrent_appends_never_interleave_inside_a_batch()
    {
        // 16 writers, 40 batches each of 50 lines (about 6 KB): every batch must come out whole and contiguous.
        var writers = Enumerable.Range(0, 16).Select(writer => Task.Run(() =>
        {
            for (var batch = 0; batch < 40; batch++)
            {
                var lines = Enumerable.Range(0, 50).Select(line => $"{{\"type\":\"t\",\"w\":{writer},\"b\":{batch},\"l\":{line},\"pad\":\"{new string('x', 100)}\"}}").ToArray();
                AuditFile.Append(AuditPath, Lines(lines), mayRotate: true, Wait);
            }
        }));
        await Task.WhenAll(writers);

        var all = File.ReadAllLines(AuditPath);
        Assert.Equal(16 * 40 * 50, all.Length);
        for (var start = 0; start < all.Length; start += 50)
        {
            var batch = all.Skip(start).Take(50).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            Assert.All(batch, e => Assert.Equal(batch[0].GetProperty("w").GetInt32(), e.GetProperty("w").GetInt32()));
            Assert.All(batch, e => Assert.Equal(batch[0].GetProperty("b").GetInt32(), e.GetProperty("b").GetInt32()));
            Assert.Equal(Enumerable.Range(0, 50), batch.Select(e => e.GetProperty("l").GetInt32()));
        }
    }
}
