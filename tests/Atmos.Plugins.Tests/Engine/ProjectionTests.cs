using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>The summary, the exit code and the debug lines are pure functions of the events.</summary>
public sealed class ProjectionTests
{
    private static readonly DateTimeOffset At = new(2025, 10, 17, 10, 15, 30, TimeSpan.Zero);

    private static StepData Keyring(int index, string name) => new() { Index = index, Type = StepType.Keyring, Target = name, Principals = [name], Presence = Presence.Present };

    private static StepData Files(int index, string principal) => new()
    {
        Index = index,
        Type = StepType.Files,
        Target = "/home/u/.config/atmos/aws/aws-sso/",
        Principals = [principal],
        Note = "XDG-compliant",
        Plugin = "aws",
        Action = "remove-profiles",
    };

    private static List<LogoutEvent> Run(params LogoutEvent[] tail)
    {
        LogoutEvent[] head =
        [
            new LogoutRequested { Scope = ScopeKind.Identity, Target = "dev-admin", Home = "/home/u" },
            new ChainResolved { Identity = "dev-admin", Chain = ["aws-sso", "dev-admin"] },
            new StepPlanned { Step = Keyring(0, "aws-sso") },
            new StepPlanned { Step = Keyring(1, "dev-admin") },
            new StepPlanned { Step = Files(2, "dev-admin") },
            new RemovalStarted { Steps = 3 },
        ];
        return head.Concat(tail).Append(new LogoutCompleted()).Select(e => e with { Run = "r1", At = At }).ToList();
    }

    private static List<string> Human(IEnumerable<LogoutEvent> events)
    {
        var state = RunState.Initial;
        var lines = new List<string>();
        foreach (var e in events)
        {
            state = RunState.Evolve(state, e);
            lines.AddRange(HumanOutput.Render(e, state).Select(l => l.Text));
        }

        return lines;
    }

    [Fact]
    public void The_reference_error_handling_example_is_reproduced_from_events()
    {
        var events = Run(new CredentialRemoved { Step = 0 }, new CredentialNotFound { Step = 1, Detail = "credential not found in keyring" }, new CredentialRemoved { Step = 2 });

        Assert.Equal(
            [
                "Logging out from identity: dev-admin",
                "Building authentication chain...",
                "✓ Chain: aws-sso → dev-admin",
                "Removing credentials...",
                "✓ Keyring: aws-sso",
                "✗ Keyring: dev-admin (not found - already logged out)",
                "✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)",
                "Logged out with warnings (2/3 successful)",
                "Errors encountered:",
                "• dev-admin: credential not found in keyring",
            ],
            Human(events));
        Assert.Equal(0, ExitCodes.From(RunState.From(events)));
    }

    [Theory]
    [InlineData("removed,removed,removed", 0, "Successfully logged out from 2 identities")]
    [InlineData("removed,failed,removed", 0, "Logged out with warnings (2/3 successful)")]
    [InlineData("notfound,notfound,notfound", 0, "Identity 'dev-admin' is already logged out.")]
    [InlineData("failed,notfound,failed", 1, "Logout failed (0/3 successful)")]
    public void Exit_code_and_headline_follow_the_table_of_spec_section_5(string outcomes, int exitCode, string headline)
    {
        var tail = outcomes.Split(',').Select<string, LogoutEvent>((o, i) => o switch
        {
            "removed" => new CredentialRemoved { Step = i },
            "notfound" => new CredentialNotFound { Step = i },
            _ => new StepFailed { Step = i, Reason = "permission denied", Detail = "permission denied changing x" },
        }).ToArray();
        var state = RunState.From(Run(tail));

        Assert.Equal(exitCode, ExitCodes.From(state));
        Assert.Equal(headline, HumanOutput.Headline(state));
    }

    [Fact]
    public void Each_step_keeps_its_first_outcome_and_outcomes_outside_the_plan_are_ignored()
    {
        var state = RunState.From(Run(
            new CredentialNotFound { Step = 1, Detail = "gone" },
            new CredentialRemoved { Step = 0 },
            new StepFailed { Step = 1, Reason = "late" },
            new CredentialRemoved { Step = 3 },
            new CredentialRemoved { Step = -1 }));

        Assert.Equal([1, 0], state.Outcomes.Select(o => o.Step));
        Assert.Equal(StepStatus.Removed, state.OutcomeOf(0)?.Status);
        Assert.Equal(StepStatus.NotFound, state.OutcomeOf(1)?.Status);
        Assert.Null(state.OutcomeOf(2));
        Assert.Null(state.OutcomeOf(3));
        Assert.Null(state.OutcomeOf(-1));

        // A state given its steps directly, not through StepPlanned, records outcomes all the same.
        var direct = RunState.Evolve(RunState.Initial with { Steps = [Keyring(0, "a"), Keyring(1, "b")] }, new CredentialRemoved { Step = 1 });
        Assert.Equal(StepStatus.Removed, direct.OutcomeOf(1)?.Status);
        Assert.Null(direct.OutcomeOf(0));
    }

    [Fact]
    public void Rejected_is_2_and_interrupted_is_130_and_declined_is_0()
    {
        var requested = new LogoutRequested { Scope = ScopeKind.Identity, Target = "x" };
        Assert.Equal(2, ExitCodes.From(RunState.From([requested, new LogoutRejected { Error = "bad" }, new LogoutCompleted()])));
        Assert.Equal(0, ExitCodes.From(RunState.From([requested, new LogoutCancelled { Reason = CancelReason.Declined }, new LogoutCompleted()])));
        Assert.Equal(130, ExitCodes.From(RunState.From([requested, new LogoutCancelled { Reason = CancelReason.Interrupted }, new LogoutCompleted()])));
        Assert.Equal(130, ExitCodes.From(RunState.From(Run(new CredentialRemoved { Step = 0 }, new LogoutInterrupted()))));
    }

    [Fact]
    public void An_interrupted_run_still_summarises_what_was_done()
    {
        var lines = Human(Run(new CredentialRemoved { Step = 0 }, new LogoutInterrupted()));

        Assert.Contains("⚠️ Interrupted: 1 of 3 steps ran; the rest were skipped", lines);
        Assert.Contains("Logged out with warnings (1/3 successful)", lines);
    }

    [Fact]
    public void Debug_lines_match_the_reference_audit_trail()
    {
        var events = Run(new CredentialRemoved { Step = 0 }, new CredentialRemoved { Step = 1 }, new CredentialRemoved { Step = 2 });
        var state = RunState.Initial;
        var lines = new List<string>();
        foreach (var e in events)
        {
            state = RunState.Evolve(state, e);
            lines.AddRange(DebugLog.Render(e, state, LogLevel.Debug));
        }

        Assert.Equal(
            [
                "2025-10-17T10:15:30Z DEBUG Starting logout identity=dev-admin",
                "2025-10-17T10:15:30Z DEBUG Authentication chain built chain=[aws-sso dev-admin]",
                "2025-10-17T10:15:30Z DEBUG Removing keyring entry alias=aws-sso",
                "2025-10-17T10:15:30Z DEBUG Removing keyring entry alias=dev-admin",
                "2025-10-17T10:15:30Z DEBUG Removing files path=~/.config/atmos/aws/aws-sso/ plugin=aws action=remove-profiles",
                "2025-10-17T10:15:30Z INFO Logout completed identity=dev-admin removed=2",
            ],
            lines);
        Assert.Equal(LogLevel.Off, DebugLog.ParseLevel(null));
        Assert.Equal(LogLevel.Off, DebugLog.ParseLevel("none"));
        Assert.Equal(LogLevel.Warning, DebugLog.ParseLevel("warn"));
        Assert.Equal(LogLevel.Debug, DebugLog.ParseLevel("Debug"));
    }

    [Fact]
    public void Events_round_trip_through_json_and_unknown_types_are_skipped()
    {
        foreach (var e in Run(new CredentialRemoved { Step = 0 }, new StepFailed { Step = 1, Reason = "r", Detail = "d" }))
        {
            var line = EventJson.Serialize(e);
            Assert.DoesNotContain('\n', line);
            var read = EventJson.Deserialize(line, out var skipped);
            Assert.Null(skipped);
            Assert.Equal(e.GetType(), read!.GetType());
            Assert.Equal(line, EventJson.Serialize(read));
        }

        Assert.Null(EventJson.Deserialize("""{"type":"LogoutTeleported","v":1}""", out var why));
        Assert.Equal("unknown event type 'LogoutTeleported'", why);
        Assert.Null(EventJson.Deserialize("""{"type":"CredentialRemoved","v":9,"step":0}""", out var newer));
        Assert.Contains("schema version 9", newer, StringComparison.Ordinal);
    }
}
