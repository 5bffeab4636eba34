using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>How a line should look on a colour terminal.</summary>
public enum Tone
{
    /// <summary>No colour.</summary>
    Plain,

    /// <summary>Green: something removed, chain built.</summary>
    Success,

    /// <summary>Red: a step failed, an error.</summary>
    Failure,

    /// <summary>Yellow: warnings and notes.</summary>
    Warning,

    /// <summary>Dim: secondary information.</summary>
    Muted,
}

/// <summary>One line of human output.</summary>
/// <param name="Text">The text, without colour codes.</param>
/// <param name="Tone">How to colour it on a terminal that wants colour.</param>
public readonly record struct OutputLine(string Text, Tone Tone = Tone.Plain);

/// <summary>
/// The human output of a run (the reference doc's examples, word for word), computed per event from the event and the
/// state after it. A live run and a replay of its events print the same lines.
/// </summary>
public static class HumanOutput
{
    /// <summary>The browser-session note printed after a successful identity or <c>--all</c> logout.</summary>
    public static readonly IReadOnlyList<string> BrowserNote =
    [
        "⚠️ Note: This only removes local credentials. Your browser session",
        "may still be active. Visit your identity provider to end your",
        "browser session.",
    ];

    /// <summary>The picker's question (reference doc, "Interactive Mode").</summary>
    public const string PickerTitle = "Choose what to logout from:";

    /// <summary>The confirmation's answer that deletes keychain credentials.</summary>
    public const string ConfirmYes = "Yes, delete credentials";

    /// <summary>The confirmation's answer that keeps them (the default).</summary>
    public const string ConfirmNo = "No, keep credentials";

    /// <summary>The text above the <c>--keychain</c> confirmation (reference doc, "Delete Keychain Credentials").</summary>
    /// <param name="subject">The identity, provider, or "all identities".</param>
    /// <param name="entries">The keychain credentials this logout would delete, as "Keyring: name" or "Files: path".</param>
    public static IReadOnlyList<string> KeychainConfirmation(string subject, IReadOnlyList<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return
        [
            $"Delete keychain credentials for {subject}?",
            "This will permanently remove:",
            "• IAM user access keys",
            "• Service account credentials",
            "• Provider credentials",
            $"Keychain credentials found: {(entries.Count == 0 ? "none" : string.Join(", ", entries))}",
            "Session data will also be cleared.",
        ];
    }

    /// <summary>The lines to print for one event.</summary>
    /// <param name="logoutEvent">The event just recorded.</param>
    /// <param name="state">The run's state after it.</param>
    public static IEnumerable<OutputLine> Render(LogoutEvent logoutEvent, RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var heading = HeadingDue(logoutEvent, state) ? Heading(state) : [];
        return heading.Concat(Lines(logoutEvent, state));
    }

    /// <summary>
    /// Whether the plan found nothing at all to remove: every step is a keyring entry that did not exist when planned.
    /// Such a run prints only the reference doc's "already logged out" lines, without a heading or step lines.
    /// </summary>
    /// <param name="state">The run.</param>
    public static bool NothingToRemove(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Steps.All(s => s.Presence == Presence.Absent);
    }

    // The heading waits until the run goes ahead with a plan that has something to remove (a dry run: until its
    // summary), so a rejected, cancelled or already-logged-out run prints only its own lines. If a step of a plan
    // that found nothing does remove or fail after all (the entry appeared meanwhile), the heading comes with it.
    private static bool HeadingDue(LogoutEvent logoutEvent, RunState state) =>
        state.Request is not null && state.Rejected is null && state.Cancelled is null && logoutEvent switch
        {
            Events.RemovalStarted => !NothingToRemove(state),
            CredentialRemoved or StepFailed => state.RemovalStarted && NothingToRemove(state) && state.Outcomes.Count(o => o.Outcome.Status != StepStatus.NotFound) == 1,
            LogoutCompleted => state.DryRun,
            _ => false,
        };

    private static IEnumerable<OutputLine> Lines(LogoutEvent logoutEvent, RunState state)
    {
        return logoutEvent switch
        {
            ConfigWarningReported e => [new(e.Warning)],
            LogoutRejected e => Rejection(e, state.Request?.Home),
            LogoutCancelled e => [Cancelled(e)],
            CredentialRemoved e => [new($"✓ {Label(state.Steps[e.Step], state)}", Tone.Success)],
            CredentialNotFound when NothingToRemove(state) && state.Removed == 0 && state.Failed == 0 => [],
            CredentialNotFound e => [new($"✗ {Label(state.Steps[e.Step], state)} (not found - already logged out)", Tone.Warning)],
            StepFailed e => [new($"✗ {FailureLabel(state.Steps[e.Step], state)} ({e.Reason})", Tone.Failure)],
            LogoutInterrupted => [new($"⚠️ Interrupted: {state.Attempted} of {state.Steps.Count} steps ran; the rest were skipped", Tone.Warning)],
            LogoutFailed e => [new($"Error: unexpected failure, the run stopped: {e.Error} (a bug: please report it; 'atmos auth replay' shows what ran)", Tone.Failure)],
            LogoutCompleted when state.Rejected is not null || state.Cancelled is not null || state.Failure is not null => [],
            LogoutCompleted when state.DryRun => DryRunSummary(state),
            LogoutCompleted => Summary(state),
            _ => [],
        };
    }

    /// <summary>Shows a path with the home folder as <c>~</c>.</summary>
    /// <param name="path">An absolute path.</param>
    /// <param name="home">The home folder the run recorded.</param>
    public static string Display(string path, string? home)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrEmpty(home))
        {
            return path;
        }

        home = home.TrimEnd('/');
        return path == home ? "~" : path.StartsWith(home + "/", StringComparison.Ordinal) ? "~" + path[home.Length..] : path;
    }

    private static IEnumerable<OutputLine> Heading(RunState state)
    {
        var request = state.Request!;
        if (request.DryRun)
        {
            yield return new("Dry run mode: No credentials will be removed");
            yield break;
        }

        var realm = request.Realm is null ? string.Empty : $" (realm: {request.Realm})";
        switch (request.Scope)
        {
            case ScopeKind.Identity:
                yield return new($"Logging out from identity: {request.Target}{realm}");
                yield return new("Building authentication chain...");
                if (state.Chain is { } chain)
                {
                    yield return new($"✓ Chain: {string.Join(" → ", chain)}", Tone.Success);
                }

                yield return new("Removing credentials...");
                break;
            case ScopeKind.Provider:
                yield return new($"Logging out from provider: {request.Target}{realm}");
                yield return new("Removing all credentials for provider...");
                break;
            case ScopeKind.AllRealms:
                yield return new("Logging out from all identities in every realm...");
                yield return new("Removing all credentials atmos left on this machine...");
                break;
            case ScopeKind.Tags:
                yield return new($"Logging out from providers and identities tagged: {TagList(request.Target)}{realm}");
                yield return new("Removing their credentials...");
                break;
            default:
                yield return new($"Logging out from all identities{realm}...");
                yield return new("Removing all credentials...");
                break;
        }
    }

    /// <summary>A usage or configuration error: the error, the valid choices, the files searched and what to do next.</summary>
    /// <param name="e">The rejection.</param>
    /// <param name="home">The home folder the run recorded (files show it as <c>~</c>).</param>
    public static IEnumerable<OutputLine> Rejection(LogoutRejected e, string? home = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        yield return new($"Error: {e.Error}", Tone.Failure);
        if (e.Choices.Count > 0)
        {
            yield return new(string.Empty);
            yield return new(e.ChoicesTitle ?? "Choices:");
            foreach (var choice in e.Choices)
            {
                yield return new($"• {choice}");
            }
        }

        if (e.Searched is { Count: > 0 } searched)
        {
            yield return new(string.Empty);
            yield return new($"Searched: {string.Join(", ", searched.Select(f => Display(f, home)))}");
        }

        if (e.Hint is not null)
        {
            yield return new(string.Empty);
            yield return new(e.Hint);
        }
    }

    private static OutputLine Cancelled(LogoutCancelled e) => e.Reason == CancelReason.Declined
        ? new("Logout cancelled - credentials preserved", Tone.Warning)
        : new("Logout interrupted - nothing was removed", Tone.Warning);

    private static string Label(StepData step, RunState state) => step.Type switch
    {
        StepType.Keyring when state.Scope is ScopeKind.Provider or ScopeKind.Tags && step.Via is not null && step.Via != step.Target => $"Keyring: {step.Target}{KeyList(step)} (via {step.Via})",
        StepType.Keyring => $"Keyring: {step.Target}{KeyList(step)}",
        StepType.Plugin => $"Plugin {step.Target}: {string.Join(", ", step.Principals)}",
        StepType.Config => $"Config: {step.Target}",
        _ => $"Files: {Display(step.Target, state.Request?.Home)}{(step.Note is null ? string.Empty : $" ({step.Note})")}",
    };

    // The keys found when they are not just the name itself (the reference doc's v1.199 form): "[atmos_acme_dev-admin, dev-admin]".
    private static string KeyList(StepData step) =>
        step.Presence != Presence.Present || step.Keys is not { Count: > 0 } keys || (keys.Count == 1 && keys[0] == step.Target)
            ? string.Empty
            : $" [{string.Join(", ", keys)}]";

    // On failure the reason takes the place of the note, as in the reference: "✗ Files: ~/.config/atmos/aws/aws-sso/ (permission denied)".
    private static string FailureLabel(StepData step, RunState state) =>
        step.Type is StepType.Files or StepType.Folder ? $"Files: {Display(step.Target, state.Request?.Home)}" : Label(step, state);

    /// <summary>
    /// The run's one-line result, as printed: "Successfully logged out from 3 identities", "Logged out with warnings
    /// (2/3 successful)", "Logout failed (0/2 successful)", "Identity 'x' is already logged out.", the dry run's
    /// "3 identities would be logged out", the error of a rejected run, or the cancellation line. Null while running.
    /// </summary>
    /// <param name="state">The run.</param>
    public static string? Headline(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Rejected is { } rejected)
        {
            return $"Error: {rejected.Error}";
        }

        if (state.Cancelled is { } cancelled)
        {
            return Cancelled(cancelled).Text;
        }

        if (!state.Completed)
        {
            return null;
        }

        if (state.DryRun)
        {
            var live = state.Steps.Where(s => s.Presence != Presence.Absent).ToList();
            return live.Count == 0
                ? AlreadyLoggedOutHeadline(state)
                : $"{Count(live.SelectMany(s => s.Principals).Distinct(StringComparer.Ordinal).Count())} would be logged out";
        }

        var total = state.Steps.Count;
        return (state.Removed, state.Failed) switch
        {
            (0, 0) => AlreadyLoggedOutHeadline(state),
            (0, _) => $"Logout failed (0/{total} successful)",
            _ when state.Failed > 0 || state.NotFound > 0 || state.Interrupted => $"Logged out with warnings ({state.Removed}/{total} successful)",
            _ => $"Successfully logged out from {Count(state.IdentitiesLoggedOut)}",
        };
    }

    private static IEnumerable<OutputLine> Summary(RunState state)
    {
        foreach (var kept in state.Preserved)
        {
            yield return new($"• {Label(kept, state)} preserved (keychain credential; use --keychain to delete)", Tone.Muted);
        }

        var headline = Headline(state)!;
        if (state.Removed == 0 && state.Failed == 0)
        {
            yield return new(headline);
            yield return new(AlreadyLoggedOutDetail(state));
            yield break;
        }

        if (state.Removed > 0 && state.Failed == 0 && state.NotFound == 0 && !state.Interrupted)
        {
            yield return new(headline, Tone.Success);
            if (state.Scope is ScopeKind.Identity or ScopeKind.All or ScopeKind.AllRealms or ScopeKind.Tags)
            {
                yield return new(string.Empty);
                foreach (var line in BrowserNote)
                {
                    yield return new(line, Tone.Warning);
                }
            }

            yield break;
        }

        yield return new(headline, state.Removed == 0 ? Tone.Failure : Tone.Warning);
        var errors = state.Outcomes.Where(o => o.Outcome.Status != StepStatus.Removed).ToList();
        if (errors.Count > 0)
        {
            yield return new("Errors encountered:");
            foreach (var (index, outcome) in errors)
            {
                var step = state.Steps[index];
                yield return new($"• {string.Join(", ", step.Principals)}: {ErrorText(step, outcome, state)}");
            }

            // Known failures once each, in the reference doc's "Troubleshooting" form.
            foreach (var (detail, fix) in errors.Where(e => e.Outcome.Fix is not null).Select(e => (e.Outcome.Detail, e.Outcome.Fix!)).Distinct())
            {
                yield return new(string.Empty);
                yield return new($"Error: {detail}", Tone.Failure);
                yield return new($"Solution: {fix}");
            }
        }
    }

    private static string ErrorText(StepData step, StepOutcome outcome, RunState state) => (outcome.Status, step.Type) switch
    {
        (StepStatus.NotFound, StepType.Keyring) => "credential not found in keyring",
        (StepStatus.NotFound, _) => outcome.Detail ?? $"nothing found at {Display(step.Target, state.Request?.Home)}",
        _ => outcome.Detail ?? outcome.Reason ?? "failed",
    };

    private static string AlreadyLoggedOutHeadline(RunState state) => state.Scope switch
    {
        ScopeKind.Provider => $"Provider '{state.Request?.Target}' is already logged out.",
        ScopeKind.All => "All identities are already logged out.",
        ScopeKind.AllRealms => "Every realm is already logged out.",
        ScopeKind.Tags => $"Everything tagged {TagList(state.Request?.Target)} is already logged out.",
        _ => $"Identity '{state.Request?.Target}' is already logged out.",
    };

    private static string AlreadyLoggedOutDetail(RunState state) => state.Preserved.Count > 0
        ? "No session credentials found; keychain credentials are preserved (use --keychain to delete them)."
        : "No credentials found in keyring or file storage.";

    private static IEnumerable<OutputLine> DryRunSummary(RunState state)
    {
        var home = state.Request?.Home;
        var live = state.Steps.Where(s => s.Presence != Presence.Absent).ToList();
        if (live.Count == 0)
        {
            foreach (var kept in state.Preserved)
            {
                yield return new($"• {Label(kept, state)} preserved (keychain credential; use --keychain to delete)", Tone.Muted);
            }

            yield return new(AlreadyLoggedOutHeadline(state));
            yield return new(AlreadyLoggedOutDetail(state));
            yield break;
        }

        if (state.Scope == ScopeKind.All)
        {
            yield return new("Would remove:");
            if (state.Steps.Any(s => s.Type == StepType.Keyring && s.Role == PrincipalRole.Identity))
            {
                yield return new("• All identity keyring entries");
            }

            if (state.Steps.Any(s => s.Type == StepType.Keyring && s.Role == PrincipalRole.Provider))
            {
                yield return new("• All provider keyring entries");
            }

            var files = state.Steps.Where(s => s.Type == StepType.Files).Select(s => Display(s.Target, home)).Distinct().ToList();
            if (files.Count > 0)
            {
                yield return new("• Files:");
                foreach (var file in files)
                {
                    yield return new($"- {file}");
                }
            }
        }
        else
        {
            var realm = state.Realm is null ? string.Empty : $" (realm: {state.Realm})";
            yield return new(state.Scope switch
            {
                ScopeKind.Provider => $"Would remove from provider: {state.Request?.Target}{realm}",
                ScopeKind.AllRealms => "Would remove from every realm:",
                ScopeKind.Tags => $"Would remove from everything tagged: {TagList(state.Request?.Target)}{realm}",
                _ => $"Would remove from identity: {state.Request?.Target}{realm}",
            });
            foreach (var step in state.Steps)
            {
                if (step.Type is StepType.Keyring or StepType.Plugin or StepType.Config)
                {
                    var suffix = step.Type == StepType.Config ? $" ({step.Blocked})"
                        : step.Presence == Presence.Absent ? " (not found - already logged out)"
                        : step.Class == StepClass.LongLived ? " (keychain credential)"
                        : step.Note is not null ? $" ({step.Note})"
                        : string.Empty;
                    yield return new($"• {Label(step, state)}{suffix}");
                }
                else
                {
                    foreach (var path in step.Paths.Count > 0 ? step.Paths : [step.Target])
                    {
                        yield return new($"• Files: {Display(path, home)}");
                    }
                }
            }
        }

        foreach (var kept in state.Preserved)
        {
            yield return new($"• {Label(kept, state)} preserved (keychain credential; use --keychain to delete)", Tone.Muted);
        }

        if (state.Scope is not ScopeKind.All)
        {
            yield return new(Headline(state)!);
        }
    }

    private static string TagList(string? tags) => string.Join(", ", (tags ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));

    private static string Count(int identities) => identities == 1 ? "1 identity" : $"{identities} identities";
}
