using System.Globalization;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Audit;

/// <summary><c>atmos auth replay --list</c>: one line (or one JSON object) per recorded run, computed from its events.</summary>
public static class RunList
{
    /// <summary>The schema version of the JSON list.</summary>
    public const int SchemaVersion = 1;

    /// <summary>
    /// The command line a run was started with, as far as its request records it:
    /// <c>atmos auth logout dev-admin --dry-run</c>, <c>atmos auth logout --provider aws-sso</c>, <c>atmos auth logout --all</c>.
    /// </summary>
    /// <param name="request">The run's request, or null when it recorded none.</param>
    public static string CommandLine(LogoutRequested? request)
    {
        var command = new StringBuilder("atmos auth logout");
        switch (request?.Scope)
        {
            case ScopeKind.Identity:
                command.Append(' ').Append(request.Target);
                break;
            case ScopeKind.Provider:
                command.Append(" --provider ").Append(request.Target);
                break;
            case ScopeKind.All:
                command.Append(" --all");
                break;
            case ScopeKind.AllRealms:
                command.Append(" --all-realms");
                break;
            case ScopeKind.Tags:
                command.Append(" --tags ").Append(request.Target);
                break;
        }

        command.Append(request?.DryRun == true ? " --dry-run" : string.Empty)
            .Append(request?.Keychain == true ? " --keychain" : string.Empty)
            .Append(request?.Force == true ? " --force" : string.Empty);
        return command.ToString();
    }

    /// <summary>
    /// One line per run, oldest first: id, start time (UTC), exit code, command line and result.
    /// <c>0199f3c2…  2025-10-17T10:15:30Z  exit 0  atmos auth logout dev-admin  Successfully logged out from 3 identities</c>.
    /// </summary>
    /// <param name="runs">The recorded runs.</param>
    public static IEnumerable<string> Lines(RecordedRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        foreach (var run in runs.Runs)
        {
            var state = run.State;
            var result = run.Complete ? HumanOutput.Headline(state) : "incomplete: the process stopped before the run finished";
            yield return $"{run.Id}  {Time(run.Started)}  exit {ExitCodes.From(state),-3}  {CommandLine(state.Request)}  {result}";
        }
    }

    /// <summary>The runs as one JSON document, for scripts.</summary>
    /// <param name="runs">The recorded runs.</param>
    public static string Json(RecordedRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return Json(runs.Source, runs.Runs);
    }

    /// <summary>Runs read from <paramref name="source"/> as one JSON document (none when nothing is recorded yet).</summary>
    /// <param name="source">Where they were read from.</param>
    /// <param name="recorded">The runs, oldest first.</param>
    public static string Json(string source, IReadOnlyList<RecordedRun> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", SchemaVersion);
            json.WriteString("source", source);
            json.WriteStartArray("runs");
            foreach (var run in recorded)
            {
                var state = run.State;
                json.WriteStartObject();
                json.WriteString("run", run.Id);
                json.WriteString("started", Time(run.Started));
                json.WriteString("command", CommandLine(state.Request));
                json.WriteString("scope", state.Scope.ToString().ToLowerInvariant());
                json.WriteString("target", state.Request?.Target);
                json.WriteBoolean("dry_run", state.DryRun);
                json.WriteBoolean("complete", run.Complete);
                json.WriteString("outcome", run.Complete ? JsonReport.Outcome(state) : "incomplete");
                json.WriteString("summary", run.Complete ? HumanOutput.Headline(state) : null);
                json.WriteNumber("exit_code", ExitCodes.From(state));
                json.WriteNumber("events", run.Events.Count);
                json.WriteNumber("skipped", run.Skipped.Count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
