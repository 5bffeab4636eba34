using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>No other test runs beside these: they measure what the whole process allocates.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BoundedMemoryCollection
{
    public const string Name = "bounded memory";
}

/// <summary>
/// One bad file fails only its own work, with bounded memory (issue 17): a JSON array as an SSO token, a token linked to
/// <c>/dev/zero</c> (2.1 GB resident before) and a 3 GiB credentials file are each refused at <c>fstat</c>, never read.
/// </summary>
[Collection(BoundedMemoryCollection.Name)]
public sealed class BoundedMemoryTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string SsoFolder => _tree.Home.PathOf(AwsTree.SsoFolder);

    [Fact]
    public async Task One_bad_file_fails_only_its_own_work_with_bounded_memory()
    {
        // A JSON array as one provider's SSO token, another provider's token a link to /dev/zero, a 3 GiB credentials file:
        // each fails (or goes) alone; every other file is still handled.
        var cache = _tree.Home.PathOf(".aws/sso/cache");
        File.WriteAllText(_tree.Home.PathOf(AwsTree.CacheFile(AwsTree.StartUrl)), "[1, 2, 3]");
        var zeroToken = _tree.Home.PathOf(AwsTree.CacheFile(AwsTree.BackupStartUrl));
        File.Delete(zeroToken);
        File.CreateSymbolicLink(zeroToken, "/dev/zero");
        GrowSparse(_tree.Home.PathOf($"{AwsTree.OktaFolder}/credentials"));

        var result = await RunWithBoundedMemory(["auth", "logout", "--all", "--config", _tree.Config]);

        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.False(Path.Exists(zeroToken) || new FileInfo(zeroToken).LinkTarget is not null); // unlinked, never read
        Assert.False(File.Exists(_tree.Home.PathOf(AwsTree.CacheFile(AwsTree.StartUrl))));      // ours by its name
        Assert.True(File.Exists(_tree.Home.PathOf(AwsTree.CacheFile("https://someone-else.awsapps.com/start"))));

        // The huge file's provider folder is removed whole (--all): its size never mattered. Every other folder went too.
        Assert.False(Directory.Exists(_tree.Home.PathOf(AwsTree.OktaFolder)));
        Assert.False(Directory.Exists(SsoFolder));
        Assert.Contains(result.Lines, l => l.StartsWith("Successfully logged out", StringComparison.Ordinal));
        Assert.True(Directory.Exists(cache));
    }

    [Fact]
    public async Task A_huge_or_linked_credentials_file_fails_its_identity_step_alone_naming_it()
    {
        GrowSparse(_tree.Home.PathOf($"{AwsTree.SsoFolder}/credentials"));

        var result = await RunWithBoundedMemory(["auth", "logout", "dev-admin", "--config", _tree.Config]);

        Assert.Contains("✗ Files: ~/.config/atmos/aws/aws-sso/ (refused: too large)", result.Lines);
        Assert.Contains(result.Lines, l => l.Contains("~/.config/atmos/aws/aws-sso/credentials is 3.0 GiB, more than the 32.0 MiB atmos reads here", StringComparison.Ordinal) && l.Contains("(config was updated)", StringComparison.Ordinal));
        Assert.DoesNotContain("[profile dev-admin]", _tree.Home.Read($"{AwsTree.SsoFolder}/config"), StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.Home.PathOf(AwsTree.CacheFile(AwsTree.StartUrl))));
        Assert.Contains("✓ Keyring: dev-admin", result.Lines);
    }

    // A file grown to 3 GiB without writing it: what a huge credentials file looks like to atmos, costing no disk.
    private static void GrowSparse(string path)
    {
        using var sparse = new FileStream(path, FileMode.Append);
        sparse.SetLength(3L * 1024 * 1024 * 1024);
    }

    // Runs the CLI in-process and checks it allocated far less than the 3 GiB file it met (all threads counted).
    private async Task<CliResult> RunWithBoundedMemory(string[] args)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var result = await _tree.Cli.RunBounded(args);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Assert.True(allocated < 256L * 1024 * 1024, $"the logout allocated {allocated / 1024 / 1024} MiB");
        return result;
    }
}
