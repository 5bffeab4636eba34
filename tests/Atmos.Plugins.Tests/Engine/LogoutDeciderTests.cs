using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>
/// The decider alone: a command and the folded state in, events out, and the phase table guarding every event. (The
/// scenario suite runs it end to end through the runner.)
/// </summary>
public sealed class LogoutDeciderTests
{
    private static readonly StepData Step = new() { Index = 0, Type = StepType.Keyring, Target = "dev-admin", Principals = ["dev-admin"], Presence = Presence.Present };

    private static RunState Requested(bool dryRun = false, bool keychain = false, bool force = false) =>
        RunState.From([new LogoutRequested { Scope = ScopeKind.Identity, Target = "dev-admin", DryRun = dryRun, Keychain = keychain, Force = force }]);

    private static RunState Decided(RunState state, RunCommand command) =>
        LogoutDecider.Decide(command, state).Aggregate(state, RunState.Evolve);

    private static List<string> Types(IEnumerable<LogoutEvent> events) => events.Select(EventJson.WireName).ToList();

    private static LogoutPlan Plan => new(null, [StepCommand.For(Step)], [], [new PluginFailure("gcp", "missing")]);

    [Fact]
    public void A_plan_is_recorded_failures_first_and_a_dry_run_ends_with_it()
    {
        Assert.Equal(["PluginLoadFailed", "StepPlanned"], Types(LogoutDecider.Decide(new RecordPlan(Plan), Requested())));
        var dry = Decided(Requested(dryRun: true), new RecordPlan(Plan));

        Assert.Equal(RunPhase.Completed, dry.Phase);
        Assert.False(dry.RemovalStarted);
    }

    [Theory]
    [InlineData(false, false, null, "RemovalStarted")]
    [InlineData(true, true, null, "LogoutConfirmed RemovalStarted")]
    [InlineData(true, false, true, "LogoutConfirmed RemovalStarted")]
    [InlineData(true, false, false, "LogoutCancelled LogoutCompleted")]
    [InlineData(true, false, null, "LogoutCancelled LogoutCompleted")]
    public void Removal_starts_or_stops_on_the_confirmation(bool keychain, bool force, bool? answer, string expected)
    {
        var planned = Decided(Requested(keychain: keychain, force: force), new RecordPlan(Plan));
        Assert.Equal(keychain && !force, LogoutDecider.AwaitsConfirmation(planned));

        var events = LogoutDecider.Decide(new StartRemoval(answer), planned);

        Assert.Equal(expected, string.Join(' ', Types(events)));
        var after = events.Aggregate(planned, RunState.Evolve);
        Assert.Equal(answer is null && keychain && !force ? ExitCodes.Interrupted : ExitCodes.Success, ExitCodes.From(after));
    }

    [Fact]
    public void An_empty_keychain_plan_still_asks_before_going_ahead()
    {
        var planned = Decided(Requested(keychain: true), new RecordPlan(new LogoutPlan(null, [], [], [])));

        Assert.Equal(RunPhase.Requested, planned.Phase);
        Assert.True(LogoutDecider.AwaitsConfirmation(planned));
        Assert.Equal(["LogoutConfirmed", "RemovalStarted"], Types(LogoutDecider.Decide(new StartRemoval(true), planned)));
    }

    [Fact]
    public void Each_outcome_is_one_event_and_an_interrupted_removal_ends_with_exit_130()
    {
        var removing = Decided(Decided(Requested(), new RecordPlan(Plan)), new StartRemoval());
        Assert.Equal(RunPhase.Removing, removing.Phase);

        var failed = Decided(removing, new RecordOutcome(0, new StepOutcome(StepStatus.Failed, "locked", "the keyring is locked")));
        Assert.Equal(["LogoutInterrupted", "LogoutCompleted"], Types(LogoutDecider.Decide(new FinishLogout(Interrupted: true), failed)));
        var done = Decided(failed, new FinishLogout(Interrupted: true));

        Assert.Equal(RunPhase.Completed, done.Phase);
        Assert.Equal(ExitCodes.Interrupted, ExitCodes.From(done));
        Assert.Equal("locked", done.OutcomeOf(0)?.Reason);
    }

    [Fact]
    public void A_command_the_phase_does_not_allow_is_a_bug_and_throws()
    {
        Assert.Throws<InvalidOperationException>(() => LogoutDecider.Decide(new RecordOutcome(0, new StepOutcome(StepStatus.Removed, null, null)), RunState.Initial));
        Assert.Throws<InvalidOperationException>(() => LogoutDecider.Decide(new FinishLogout(false), Decided(Requested(dryRun: true), new RecordPlan(Plan))));
    }

    [Fact]
    public void An_unexpected_failure_ends_the_run_with_exit_1_and_no_summary()
    {
        var removing = Decided(Decided(Requested(), new RecordPlan(Plan)), new StartRemoval());

        var failed = Decided(removing, new FailLogout("InvalidOperationException: boom"));

        Assert.Equal(RunPhase.Completed, failed.Phase);
        Assert.Equal(ExitCodes.Failed, ExitCodes.From(failed));
        Assert.Equal("error", JsonReport.Outcome(failed));
        Assert.Empty(HumanOutput.Render(new LogoutCompleted(), failed));
    }

    [Fact]
    public void The_fold_keeps_the_phase_on_an_event_the_table_does_not_allow_so_a_damaged_trail_still_replays()
    {
        var state = RunState.From([new LogoutRequested { Scope = ScopeKind.All }, new CredentialRemoved { Step = 4 }, new LogoutCompleted()]);

        Assert.Equal(RunPhase.Completed, state.Phase);
        Assert.Empty(state.Outcomes);
    }
}
