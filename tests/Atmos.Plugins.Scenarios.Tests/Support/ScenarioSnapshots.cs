using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Scenarios.Tests.Support;

/// <summary>
/// The texts a scenario's snapshots hold, scrubbed of what differs between machines and runs (temp paths, run ids,
/// timestamps): the plan, the events, and the rendered output with the exit code.
/// </summary>
public static partial class ScenarioSnapshots
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The plan as recorded: the chain, every planned step, what is preserved, and plugins that failed to load.</summary>
    public static string Plan(IReadOnlyList<LogoutEvent> events, Func<string, string> scrub)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(scrub);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteStartArray("chain");
            foreach (var link in events.OfType<ChainResolved>().SelectMany(e => e.Chain))
            {
                json.WriteStringValue(link);
            }

            json.WriteEndArray();
            WriteAll(json, "steps", events.OfType<StepPlanned>().Select(e => (LogoutEvent)e), "step");
            WriteAll(json, "preserved", events.OfType<CredentialPreserved>(), "step");
            WriteAll(json, "plugin_failures", events.OfType<PluginLoadFailed>(), null);
            json.WriteEndObject();
        }

        return Scrubbed(Encoding.UTF8.GetString(buffer.ToArray()), scrub) + "\n";
    }

    /// <summary>The events, one JSON line each as in the audit trail, with run ids and timestamps replaced.</summary>
    public static string Events(IReadOnlyList<LogoutEvent> events, Func<string, string> scrub)
    {
        ArgumentNullException.ThrowIfNull(events);
        return string.Concat(events.Select(e => Scrubbed(EventJson.Serialize(e), scrub) + "\n"));
    }

    /// <summary>The command, the exit code and both streams, as a reader sees them.</summary>
    public static string Output(IEnumerable<string> command, CliOutcome outcome, Func<string, string> scrub)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var text = new StringBuilder()
            .Append("$ atmos ").AppendJoin(' ', command).Append('\n')
            .Append("exit code: ").Append(outcome.ExitCode).Append('\n')
            .Append("--- stderr\n").Append(outcome.Stderr);
        if (outcome.Stdout.Length > 0)
        {
            text.Append("--- stdout\n").Append(outcome.Stdout);
        }

        return Scrubbed(text.ToString(), scrub);
    }

    /// <summary>
    /// The lines of a run's stderr that are not projections of its events, so a replay cannot print them: atmos.yaml
    /// warnings printed before the run, and the warning that the audit trail could not be written.
    /// </summary>
    /// <summary>
    /// The files under HOME after the run, for scenarios that snapshot them (<c>snapshot_files: true</c>): every entry but
    /// the scenario's project folder and the audit trail's state folder, in path order, each file with its mode and its
    /// content (indented), a link with its target, a folder with a final <c>/</c>. Seeded fixture values (<c>SECRET-...</c>)
    /// that are left show here: that is what the snapshot is for.
    /// </summary>
    public static string Files(string home)
    {
        var text = new System.Text.StringBuilder();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var entry in new DirectoryInfo(home).EnumerateFileSystemInfos("*", options).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(home, entry.FullName);
            if (relative == "project" || relative.StartsWith("project/", StringComparison.Ordinal) || relative.StartsWith(".local/state", StringComparison.Ordinal))
            {
                continue;
            }

            if (entry.LinkTarget is { } target)
            {
                text.Append(relative).Append(" -> ").Append(target).Append('\n');
            }
            else if (entry is DirectoryInfo)
            {
                text.Append(relative).Append("/\n");
            }
            else
            {
                var mode = OperatingSystem.IsWindows() ? string.Empty : $" ({Convert.ToString((int)entry.UnixFileMode, 8)})";
                text.Append(relative).Append(mode).Append('\n');
                foreach (var line in File.ReadAllText(entry.FullName).Split('\n'))
                {
                    text.Append("  | ").Append(line.Replace("\r", "\\r", StringComparison.Ordinal)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    public static bool IsOutsideTheEvents(string line) =>
        line.StartsWith("⚠️ Audit trail not written", StringComparison.Ordinal);

    private static void WriteAll(Utf8JsonWriter json, string name, IEnumerable<LogoutEvent> events, string? property)
    {
        json.WriteStartArray(name);
        foreach (var logoutEvent in events)
        {
            using var document = JsonDocument.Parse(EventJson.Serialize(logoutEvent));
            var element = property is null ? document.RootElement : document.RootElement.GetProperty(property);
            if (property is null)
            {
                json.WriteStartObject();
                foreach (var field in element.EnumerateObject().Where(f => f.Name is not ("type" or "v" or "run" or "at")))
                {
                    field.WriteTo(json);
                }

                json.WriteEndObject();
            }
            else
            {
                element.WriteTo(json);
            }
        }

        json.WriteEndArray();
    }

    // The fixed clock makes timestamps stable already; they are still replaced, so a snapshot never depends on it.
    private static string Scrubbed(string text, Func<string, string> scrub) => Timestamp().Replace(scrub(text), "\"at\":$1\"<at>\"");

    [GeneratedRegex("\"at\":(\\s?)\"[^\"]*\"")]
    private static partial Regex Timestamp();
}
