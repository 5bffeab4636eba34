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
        AuditFile.Append(AuditPath, Lines("{\"a\":1}"), mayRotate: true, Wait);
        AuditFile.Append(AuditPath, Lines("{\"b\":2}", "{\"c\":3}"), mayRotate: true, Wait);

        Assert.Equal("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", File.ReadAllText(AuditPath));
        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath));
        Assert.Equal(AtomicFile.FolderMode0700, File.GetUnixFileMode(Path.GetDirectoryName(AuditPath)!));
        Assert.False(File.Exists(AuditPath + ".lock"));
    }

    [Fact]
    public void A_widened_file_mode_is_narrowed_back_to_0600()
    {
        _home.Write(".local/state/atmos/audit.jsonl", "{\"old\":true}\n");
        File.SetUnixFileMode(AuditPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        AuditFile.Append(AuditPath, Lines("{\"new\":true}"), mayRotate: true, Wait);

        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath));
        Assert.Equal("{\"old\":true}\n{\"new\":true}\n", File.ReadAllText(AuditPath));
    }

    [Fact]
    public void A_symbolic_link_at_the_audit_path_is_refused_and_its_target_untouched()
    {
        var target = _home.Write("elsewhere.txt", "keep\n");
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        File.CreateSymbolicLink(AuditPath, target);

        Assert.Throws<UnsafePathException>(() => AuditFile.Append(AuditPath, Lines("{}"), mayRotate: true, Wait));
        Assert.Equal("keep\n", File.ReadAllText(target));
    }

    [Fact]
    public void A_full_file_is_rotated_before_a_first_append_keeping_three_generations()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuditPath)!);
        foreach (var (file, marker) in new[] { (AuditPath, "current"), (AuditPath + ".1", "one"), (AuditPath + ".2", "two"), (AuditPath + ".3", "three") })
        {
            File.WriteAllText(file, marker + "\n");
        }

        // Sparse: 10 MiB of size without writing it.
        using (var full = new FileStream(AuditPath, FileMode.Open, FileAccess.Write))
        {
            full.SetLength(AuditFile.RotateAtBytes);
        }

        AuditFile.Append(AuditPath, Lines("{\"run\":\"next\"}"), mayRotate: true, Wait);

        Assert.Equal("{\"run\":\"next\"}\n", File.ReadAllText(AuditPath));
        Assert.StartsWith("current\n", File.ReadAllText(AuditPath + ".1"), StringComparison.Ordinal);
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
            full.SetLength(AuditFile.RotateAtBytes);
        }

        AuditFile.Append(AuditPath, Lines("{\"run\":\"same\"}"), mayRotate: false, Wait);

        Assert.False(File.Exists(AuditPath + ".1"));
        Assert.Equal(AuditFile.RotateAtBytes + 15, new FileInfo(AuditPath).Length);
    }

    [Fact]
    public async Task Concurrent_appends_never_interleave_inside_a_batch()
    {
        // 16 writers, 40 batches each of 50 lines (about 6 KB): every batch must come out whole and contiguous.
        var writers = Enumerable.Range(0, 16).Select(writer => Task.Run(() =>
        {
            for (var batch = 0; batch < 40; batch++)
            {
                var lines = Enumerable.Range(0, 50).Select(line => $"{{\"w\":{writer},\"b\":{batch},\"l\":{line},\"pad\":\"{new string('x', 100)}\"}}").ToArray();
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
