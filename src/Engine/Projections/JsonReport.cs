using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>
/// <c>--output json</c>: one document describing the run for scripts — scope, chain, every step with its outcome,
/// counts, the summary line, the exit code, and the raw events (so the document can be replayed). Computed from the
/// events only. See README "JSON output" for the schema.
/// </summary>
public static class JsonReport
{
    /// <summary>The schema version of the document (not of the events).</summary>
    public const int SchemaVersion = 1;

    /// <summary>Writes the report.</summary>
    /// <param name="events">The run's events, in order.</param>
    public static string Build(IReadOnlyList<LogoutEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = RunState.From(events);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", SchemaVersion);
            json.WriteString("command", "auth logout");
            json.WriteString("run", state.Run);
            json.WriteString("scope", EventWriter.ScopeName(state.Scope));
            json.WriteString("target", state.Request?.Target);
            json.WriteString("realm", state.Realm);
            json.WriteBoolean("dry_run", state.DryRun);
            json.WriteBoolean("keychain", state.Request?.Keychain ?? false);
            json.WritePropertyName("chain");
            WriteStrings(json, state.Chain ?? []);
            json.WritePropertyName("config_files");
            WriteStrings(json, state.Request?.ConfigFiles ?? []);

            json.WriteStartArray("steps");
            foreach (var step in state.Steps)
            {
                WriteStep(json, step, state.OutcomeOf(step.Index), state.DryRun, state.Request?.Home);
            }

            json.WriteEndArray();
            json.WriteStartArray("preserved");
            foreach (var step in state.Preserved)
            {
                WriteStep(json, step, null, dryRun: false, state.Request?.Home, preserved: true);
            }

            json.WriteEndArray();
            json.WriteStartArray("plugin_failures");
            foreach (var failure in state.PluginFailures)
            {
                json.WriteStartObject();
                json.WriteString("plugin", failure.Plugin);
                json.WriteString("reason", failure.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("counts");
            json.WriteNumber("steps", state.Steps.Count);
            json.WriteNumber("removed", state.Removed);
            json.WriteNumber("not_found", state.NotFound);
            json.WriteNumber("failed", state.Failed);
            json.WriteNumber("preserved", state.Preserved.Count);
            json.WriteNumber("identities_logged_out", state.IdentitiesLoggedOut);
            json.WriteEndObject();

            json.WriteString("outcome", Outcome(state));
            json.WriteString("summary", HumanOutput.Headline(state));
            json.WriteNumber("exit_code", ExitCodes.From(state));
            if (state.Rejected is { } rejected)
            {
                json.WriteStartObject("error");
                json.WriteString("message", rejected.Error);
                json.WritePropertyName("choices");
                WriteStrings(json, rejected.Choices);
                json.WriteString("hint", rejected.Hint);
                json.WritePropertyName("searched");
                WriteStrings(json, rejected.Searched ?? []);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("error");
            }

            json.WriteStartArray("events");
            foreach (var logoutEvent in events)
            {
                EventWriter.Write(json, logoutEvent);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The run's outcome as one word: <c>rejected</c>, <c>error</c> (something unexpected stopped it), <c>cancelled</c>, <c>interrupted</c>, <c>dry_run</c>,
    /// <c>already_logged_out</c>, <c>failed</c>, <c>partial</c> or <c>success</c>.
    /// </summary>
    /// <param name="state">The run.</param>
    public static string Outcome(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Rejected is not null ? "rejected"
            : state.Failure is not null ? "error"
            : state.Cancelled is not null ? (state.Cancelled.Reason == CancelReason.Declined ? "cancelled" : "interrupted")
            : state.Interrupted ? "interrupted"
            : state.DryRun ? "dry_run"
            : state.Removed == 0 && state.Failed == 0 ? "already_logged_out"
            : state.Removed == 0 ? "failed"
            : state.Failed > 0 || state.NotFound > 0 ? "partial"
            : "success";
    }

    // Every step has every key (null or [] when it does not apply), so scripts can rely on the shape.
    private static void WriteStep(Utf8JsonWriter json, StepData step, StepOutcome? outcome, bool dryRun, string? home, bool preserved = false)
    {
        json.WriteStartObject();
        json.WriteNumber("index", step.Index);
        json.WriteString("type", EventWriter.TypeName(step.Type));
        json.WriteString("target", step.Target);
        json.WriteString("display", step.Type is StepType.Files or StepType.Folder ? HumanOutput.Display(step.Target, home) : step.Target);
        json.WritePropertyName("keys");
        WriteStrings(json, step.Keys ?? []);
        json.WritePropertyName("removed_keys");
        WriteStrings(json, outcome?.Keys ?? []);
        json.WritePropertyName("principals");
        WriteStrings(json, step.Principals);
        json.WriteString("class", step.Class switch { StepClass.Session => "session", StepClass.LongLived => "long-lived", _ => "unknown" });
        json.WriteString("role", step.Type == StepType.Keyring ? (step.Role == PrincipalRole.Provider ? "provider" : "identity") : null);
        json.WriteString("kind", step.Kind);
        json.WriteString("via", step.Via);
        json.WriteString("presence", step.Type == StepType.Keyring ? step.Presence switch { Presence.Present => "present", Presence.Absent => "absent", _ => "unknown" } : null);
        json.WriteString("plugin", step.Plugin);
        json.WriteString("action", step.Action);
        json.WritePropertyName("paths");
        WriteStrings(json, step.Paths);
        json.WriteString("note", step.Note);
        json.WriteString("outcome", preserved ? "preserved" : outcome?.Status switch
        {
            StepStatus.Removed => "removed",
            StepStatus.NotFound => "not_found",
            StepStatus.Failed => "failed",
            _ => dryRun ? "planned" : "not_run",
        });
        json.WriteString("reason", outcome is { Status: not StepStatus.Removed } ? outcome.Reason : null);
        json.WriteString("detail", outcome?.Detail);
        json.WriteString("fix", outcome?.Fix);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, IEnumerable<string> values)
    {
        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
