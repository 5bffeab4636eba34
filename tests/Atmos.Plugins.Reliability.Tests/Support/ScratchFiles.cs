using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>Files for property tests: each case gets a fresh folder holding one private (0600) file.</summary>
public sealed class ScratchFiles : IDisposable
{
    /// <summary>The lock wait for edits of scratch files (nothing else holds them).</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    private readonly TempHome _home = new();
    private int _count;

    /// <summary>Writes <paramref name="content"/> to <c>&lt;fresh folder&gt;/<paramref name="name"/></c> and returns its path.</summary>
    public string Write(string name, byte[] content)
    {
        var path = _home.PathOf($"case-{Interlocked.Increment(ref _count)}/{name}");
        LoadTree.WritePrivate(path, content);
        return path;
    }

    /// <summary>
    /// Asserts the folder of <paramref name="path"/> holds exactly the given names and the file's lock file, which stays
    /// at its stable path once an edit took it (docs/reliability.md) — no temporary, nothing else.
    /// </summary>
    public static void AssertFolderHolds(string path, params string[] names) =>
        Assert.Equal(names.Append(Path.GetFileName(path) + ".lock").Order(StringComparer.Ordinal), FileChecks.Names(Path.GetDirectoryName(path)!));

    public void Dispose() => _home.Dispose();
}
