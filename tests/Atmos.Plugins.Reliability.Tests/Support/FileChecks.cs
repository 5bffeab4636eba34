using System.Security.Cryptography;
using System.Text;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>Assertions about what an edit leaves in a folder.</summary>
public static class FileChecks
{
    /// <summary>Temporary files of <see cref="AtomicFile"/> anywhere under <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Temporaries(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories) : [];

    /// <summary>Lock files anywhere under <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Locks(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*.lock", SearchOption.AllDirectories) : [];

    /// <summary>The names in a folder, sorted.</summary>
    public static IReadOnlyList<string> Names(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>Asserts two byte arrays are equal, showing the first difference as text when they are not.</summary>
    public static void Equal(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        var at = expected.AsSpan().CommonPrefixLength(actual);
        static string Around(byte[] bytes, int at) => Encoding.UTF8.GetString(bytes, Math.Max(0, at - 60), Math.Min(bytes.Length, at + 60) - Math.Max(0, at - 60));
        Assert.Fail($"{what}: {actual.Length} bytes instead of {expected.Length}, first difference at byte {at}:\nexpected …{Around(expected, at)}…\nactual   …{Around(actual, at)}…");
    }

    /// <summary>A short digest for looking up file versions.</summary>
    public static string Digest(byte[] content) => Convert.ToHexString(SHA256.HashData(content));
}
