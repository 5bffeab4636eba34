using Atmos.Plugins.Engine.Audit;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// The host's one error boundary: a bug is one line and exit 1, never a stack trace; a logout records it in its audit
/// trail first, and a replay shows the same line.
/// </summary>
public sealed class ErrorBoundaryTests : IDisposable
{
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_bug_during_a_logout_is_one_line_exit_1_and_an_audit_record_that_replays()
    {
        _tree.Cli.Interaction = new BrokenInteraction();

        var result = await _tree.Cli.RunAsync("auth", "logout", "dev-admin", "--config", _tree.Config);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.Equal("Error: unexpected failure, the run stopped: InvalidOperationException: the terminal went away (a bug: please report it; 'atmos auth replay' shows what ran)", line);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);

        var run = Assert.Single(RecordedRuns.ReadFile(_tree.Cli.AuditPath, "audit.jsonl").Runs);
        Assert.True(run.Complete);
        Assert.Equal("InvalidOperationException: the terminal went away", run.State.Failure?.Error);
        var replay = await _tree.Cli.RunAsync("auth", "replay", _tree.Cli.AuditPath);
        Assert.Equal(result.Stderr, replay.Stderr);
        Assert.Equal(ExitCodes.Failed, replay.ExitCode);
    }

    [Fact]
    public async Task A_bug_outside_a_logout_is_one_line_and_exit_1_too()
    {
        var cli = new CliRun(_tree.Home, new BrokenKeyring());

        var result = await cli.RunAsync("auth", "status", "--config", _tree.Config);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal("Error: unexpected failure: InvalidOperationException: the keyring went away (a bug: please report it)", Assert.Single(result.Lines));
    }

    [Fact]
    public async Task A_usage_error_of_any_command_is_one_line_and_exit_2()
    {
        var result = await _tree.Cli.RunAsync("auth", "no-such-command");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("Error: ", Assert.Single(result.Lines), StringComparison.Ordinal);
    }

    private sealed class BrokenInteraction : IUserInteraction
    {
        public bool CanPrompt => throw new InvalidOperationException("the terminal went away");

        public Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class BrokenKeyring : Atmos.Plugins.Engine.Keyring.IKeyring
    {
        public string Backend => "broken";

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring went away");

        public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring went away");

        public Task SetAsync(string name, string value, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring went away");

        public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring went away");
    }
}
