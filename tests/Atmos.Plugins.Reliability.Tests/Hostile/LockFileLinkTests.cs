using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>
/// Lock files are opened without following links (issue 17: a dangling link at <c>credentials.lock</c> or
/// <c>audit.jsonl.lock</c> made atmos create its target): a link there fails that work at once, naming it, and its
/// target is neither created nor touched.
/// </summary>
public sealed class LockFileLinkTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_link_at_a_credentials_lock_file_fails_that_file_and_creates_nothing()
    {
        var target = Path.Join(_tree.Home.Root, "created-through-the-link");
        File.CreateSymbolicLink(_tree.Home.PathOf($"{AwsTree.SsoFolder}/credentials.lock"), target);

        var result = await _tree.Cli.RunBounded(["auth", "logout", "dev-admin", "--config", _tree.Config]);

        Assert.False(File.Exists(target));
        Assert.Contains(result.Lines, l => l.StartsWith("✗ Files: ~/.config/atmos/aws/aws-sso/ (refused: unsafe path)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("~/.config/atmos/aws/aws-sso/credentials.lock is a symbolic link; refusing to follow it", StringComparison.Ordinal));
        Assert.Contains("[dev-admin]", _tree.Home.Read($"{AwsTree.SsoFolder}/credentials"), StringComparison.Ordinal);
        Assert.DoesNotContain("[profile dev-admin]", _tree.Home.Read($"{AwsTree.SsoFolder}/config"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_at_the_audit_lock_file_costs_only_the_audit_and_creates_nothing()
    {
        var target = Path.Join(_tree.Home.Root, "created-through-the-link");
        Directory.CreateDirectory(Path.GetDirectoryName(_tree.Cli.AuditPath)!);
        File.CreateSymbolicLink(_tree.Cli.AuditPath + ".lock", target);

        var result = await _tree.Cli.RunBounded(["auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config]);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(_tree.Cli.AuditPath));
        Assert.Contains(result.Lines, l => l.StartsWith("⚠️ Audit trail not written to", StringComparison.Ordinal) && l.Contains("audit.jsonl.lock is a symbolic link; refusing to follow it", StringComparison.Ordinal));
    }
}
