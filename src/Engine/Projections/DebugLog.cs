using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>Log levels for <c>ATMOS_LOGS_LEVEL</c>.</summary>
public enum LogLevel
{
    /// <summary>Everything, including each planned step.</summary>
    Trace,

    /// <summary>The reference doc's audit lines.</summary>
    Debug,

    /// <summary>Completion lines.</summary>
    Info,

    /// <summary>Problems only.</summary>
    Warning,

    /// <summary>Nothing (the default).</summary>
    Off,
}

/// <summary>
/// The audit lines of the reference doc (<c>2025-10-17T10:15:30Z DEBUG Starting logout identity=dev-admin</c>),
/// computed per event. Timestamps are the events' own, in UTC. Events hold no secrets, so neither do these lines.
/// </summary>
public static class DebugLog
{
    /// <summary>
    /// Parses <c>ATMOS_LOGS_LEVEL</c>; unset, empty or unknown values mean <see cref="LogLevel.Off"/>: the human output
    /// already reports every failure, so audit lines appear only when asked for (reference doc: "Enable debug logging
    /// with ATMOS_LOGS_LEVEL=Debug").
    /// </summary>
    /// <param name="value">The variable's value.</param>
    public static LogLevel ParseLevel(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Info,
        "warning" or "warn" => LogLevel.Warning,
        _ => LogLevel.Off,
    };

    /// <summary>The lines for one event at or above <paramref name="minimum"/>.</summary>
    /// <param name="logoutEvent">The event.</param>
    /// <param name="state">The state after it.</param>
    /// <param name="minimum">The configured level.</param>
    public static IEnumerable<string> Render(LogoutEvent logoutEvent, RunState state, LogLevel minimum)
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        ArgumentNullException.ThrowIfNull(state);
        if (minimum == LogLevel.Off)
        {
            yield break; // the default: format nothing (a large --all records thousands of events)
        }

        foreach (var (level, message) in Entries(logoutEvent, state))
        {
            if (level >= minimum)
            {
                yield return Line(logoutEvent.At, level, message);
            }
        }
    }

    private static IEnumerable<(LogLevel Level, string Message)> Entries(LogoutEvent logoutEvent, RunState state)
    {
        switch (logoutEvent)
        {
            case LogoutRequested e:
                if (e.ConfigFiles is { Count: > 0 } files)
                {
                    yield return (LogLevel.Debug, $"Read config files={Quote(string.Join(",", files.Select(f => HumanOutput.Display(f, e.Home))))}");
                }

                yield return (LogLevel.Debug, $"Starting logout {Subject(state)}{(e.Realm is null ? string.Empty : $" realm={e.Realm}")}{(e.DryRun ? " dry_run=true" : string.Empty)}{(e.Keychain ? " keychain=true" : string.Empty)}");
                break;
            case LogoutRejected e:
                yield return (LogLevel.Debug, $"Logout rejected error={Quote(e.Error)}");
                break;
            case ChainResolved e:
                yield return (LogLevel.Debug, $"Authentication chain built chain=[{string.Join(" ", e.Chain)}]");
                break;
            case StepPlanned e:
                yield return (LogLevel.Trace, $"Planned step index={e.Step.Index} type={(e.Step.Type == StepType.Keyring ? "keyring" : e.Step.Type == StepType.Config ? "config" : "files")} target={Quote(e.Step.Target)}");
                break;
            case CredentialPreserved e:
                yield return (LogLevel.Debug, $"Preserving keychain credential alias={e.Step.Target}");
                break;
            case PluginLoadFailed e:
                yield return (LogLevel.Warning, $"Plugin failed to load plugin={e.Plugin} reason={Quote(e.Reason)}");
                break;
            case LogoutConfirmed e:
                yield return (LogLevel.Debug, $"Keychain deletion confirmed forced={(e.Forced ? "true" : "false")}");
                break;
            case LogoutCancelled e:
                yield return (LogLevel.Info, $"Logout cancelled reason={(e.Reason == CancelReason.Declined ? "declined" : "interrupted")}");
                break;
            case CredentialRemoved e:
                yield return (LogLevel.Debug, Removing(state.Steps[e.Step], state));
                if (e.Keys is { Count: > 0 } keys && !(keys.Count == 1 && keys[0] == state.Steps[e.Step].Target))
                {
                    yield return (LogLevel.Debug, $"Removed keyring keys alias={state.Steps[e.Step].Target} keys={string.Join(",", keys)}");
                }

                break;
            case CredentialNotFound e:
                yield return (LogLevel.Debug, Removing(state.Steps[e.Step], state));
                yield return (LogLevel.Debug, $"Not found target={Quote(state.Steps[e.Step].Target)}");
                break;
            case StepFailed e:
                yield return (LogLevel.Debug, Removing(state.Steps[e.Step], state));
                yield return (LogLevel.Warning, $"Step failed target={Quote(state.Steps[e.Step].Target)} reason={Quote(e.Reason)}");
                break;
            case LogoutInterrupted:
                yield return (LogLevel.Warning, $"Logout interrupted completed={state.Attempted} planned={state.Steps.Count}");
                break;
            case LogoutCompleted when state.Rejected is null && state.Cancelled is null:
                yield return state.DryRun
                    ? (LogLevel.Info, $"Dry run completed {Subject(state)} steps={state.Steps.Count}")
                    : (LogLevel.Info, $"Logout completed {Subject(state)} removed={state.IdentitiesLoggedOut}");
                break;
        }
    }

    private static string Removing(StepData step, RunState state) => step.Type switch
    {
        StepType.Keyring => $"Removing keyring entry alias={step.Target}",
        StepType.Files => $"Removing files path={Quote(HumanOutput.Display(step.Target, state.Request?.Home))} plugin={step.Plugin} action={step.Action}",
        StepType.Folder => $"Removing folder path={Quote(HumanOutput.Display(step.Target, state.Request?.Home))} action={step.Action}",
        StepType.Config => $"Not logging out principal={Quote(step.Target)} reason=\"invalid configuration\"",
        _ => $"Running blocked step plugin={step.Target}",
    };

    private static string Subject(RunState state) => state.Scope switch
    {
        ScopeKind.Identity => $"identity={state.Request?.Target}",
        ScopeKind.Provider => $"provider={state.Request?.Target}",
        ScopeKind.All => "all=true",
        ScopeKind.AllRealms => "all_realms=true",
        ScopeKind.Tags => $"tags={state.Request?.Target}",
        _ => "target=none",
    };

    /// <summary>A debug line: the UTC time, the level, the message (also the format of plugins' log lines).</summary>
    /// <param name="at">When.</param>
    /// <param name="level">The line's level.</param>
    /// <param name="message">The message.</param>
    public static string Line(DateTimeOffset at, LogLevel level, string message) => $"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z {Name(level)} {message}";

    /// <summary>A value as the debug lines show it: bare when it has no space or quote, else quoted.</summary>
    /// <param name="value">The value.</param>
    public static string Quote(string value) =>
        value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c != '"') ? value : "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Info => "INFO",
        _ => "WARN",
    };
}
