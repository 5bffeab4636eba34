using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Audit;

/// <summary>A recorded event stream cannot be replayed: a damaged line, no runs, an unknown or ambiguous run id.</summary>
public sealed class ReplayException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the file (and line) and the fix.</param>
    public ReplayException(string message)
        : base(message)
    {
    }
}

/// <summary>One run as recorded: its events in order, and the lines of it that this atmos could not read.</summary>
/// <param name="Id">The run id.</param>
/// <param name="Events">The events this atmos understands, in recorded order.</param>
/// <param name="Skipped">One warning per skipped line (an event type or schema version from a newer atmos).</param>
public sealed record RecordedRun(string Id, IReadOnlyList<LogoutEvent> Events, IReadOnlyList<string> Skipped)
{
    /// <summary>The run's state, folded from its events.</summary>
    public RunState State => RunState.From(Events);

    /// <summary>Whether the run recorded its end (<see cref="LogoutCompleted"/>); false when the process was killed.</summary>
    public bool Complete => Events.Any(e => e is LogoutCompleted);

    /// <summary>When the run's first event happened.</summary>
    public DateTimeOffset? Started => Events.Count > 0 ? Events[0].At : null;

    /// <summary>
    /// Feeds the events to <paramref name="sinks"/> exactly as the live run's event log did (event, then the state after
    /// it), so a console sink prints the lines the run printed. Touches nothing else.
    /// </summary>
    /// <param name="sinks">Who hears each event.</param>
    /// <returns>The final state (exit code: <see cref="ExitCodes.From"/>).</returns>
    public RunState Replay(params IEventSink[] sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var state = RunState.Initial;
        foreach (var logoutEvent in Events)
        {
            state = RunState.Evolve(state, logoutEvent);
            foreach (var sink in sinks)
            {
                sink.Record(logoutEvent, state);
            }
        }

        return state;
    }
}

/// <summary>The runs found in an audit file or a <c>--output json</c> document.</summary>
/// <param name="Source">How the file is named in messages.</param>
/// <param name="Runs">The runs, in the order their first line appears.</param>
/// <param name="Latest">The run that wrote the last line: the most recently finished one.</param>
/// <param name="Warnings">Skipped lines that name no run.</param>
public sealed record RecordedRuns(string Source, IReadOnlyList<RecordedRun> Runs, RecordedRun Latest, IReadOnlyList<string> Warnings)
{
    /// <summary>Larger files are refused (a rotated audit file is about 10 MiB).</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>Reads a file without locking it (a run may be appending meanwhile: it only ever adds whole lines).</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">How to name it in messages (for example with <c>~</c>).</param>
    /// <exception cref="ReplayException">It cannot be read or holds no runs or a damaged line.</exception>
    public static RecordedRuns ReadFile(string path, string source)
    {
        if (Directory.Exists(path))
        {
            throw new ReplayException($"{source} is a folder; give the audit file in it (audit.jsonl) or a saved --output json document");
        }

        string text;
        try
        {
            // Never blocking on a FIFO, only a regular file (a link the user gave is followed).
            var info = SafeFile.Probe(path, followLinks: true);
            if (info.Kind == EntryKind.File && info.Length > MaxBytes)
            {
                throw new ReplayException($"{source} is {info.Length / 1024 / 1024} MiB; replay reads files of at most {MaxBytes / 1024 / 1024} MiB");
            }

            using var stream = new FileStream(SafeFile.OpenRead(path, MaxBytes, followLinks: true), FileAccess.Read, bufferSize: 0);
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false));
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex switch
            {
                UnauthorizedAccessException => "permission denied",
                UnsafePathException unsafePath => $"it {unsafePath.Problem}",
                FileNotFoundException => "it does not exist",
                FileSystemErrorException fileSystem => fileSystem.Reason,
                _ => ex.Message.ReplaceLineEndings(" "),
            };
            throw new ReplayException($"cannot read {source}: {why}");
        }

        return Parse(text, source);
    }

    /// <summary>
    /// Reads an audit file (one event per line, many runs, <see cref="EventJson"/>) or a <c>--output json</c> document
    /// (its <c>events</c> array). Lines of an event type or schema version this atmos does not know are skipped with a
    /// warning; anything else that is not an event is an error naming the line.
    /// </summary>
    /// <param name="text">The file's content.</param>
    /// <param name="source">How to name the file in messages.</param>
    /// <exception cref="ReplayException">A damaged line, or no runs at all.</exception>
    public static RecordedRuns Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new Builder(source);
        if (ReportEvents(text) is { } events)
        {
            for (var i = 0; i < events.Count; i++)
            {
                builder.Add(events[i], $"{source}: events[{i}]");
            }
        }
        else
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                if (!string.IsNullOrWhiteSpace(line))
                {
                    builder.Add(line, $"{source}:{i + 1}");
                }
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// The run with this id, or the one whose id starts with it when that is unambiguous; <see cref="Latest"/> when
    /// <paramref name="id"/> is null.
    /// </summary>
    /// <param name="id">A run id or a unique prefix of one.</param>
    /// <exception cref="ReplayException">No run or more than one matches.</exception>
    public RecordedRun Select(string? id)
    {
        if (id is null)
        {
            return Latest;
        }

        var exact = Runs.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }

        var matches = Runs.Where(r => r.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ReplayException($"{Source} has no run '{id}'; list its runs with --list"),
            _ => throw new ReplayException($"run id '{id}' is ambiguous in {Source}: it starts {matches.Count} runs ({string.Join(", ", matches.Take(5).Select(r => r.Id))}{(matches.Count > 5 ? ", ..." : string.Empty)}); give more of it"),
        };
    }

    // The events of a --output json document, or null when the text is not one (an audit file is many JSON values).
    private static IReadOnlyList<string>? ReportEvents(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("{"))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("events", out var events)
                   && events.ValueKind == JsonValueKind.Array
                ? events.EnumerateArray().Select(e => e.GetRawText()).ToList()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Builder
    {
        private readonly string _source;
        private readonly Dictionary<string, (List<LogoutEvent> Events, List<string> Skipped)> _runs = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private readonly List<string> _warnings = [];
        private string? _latest;

        public Builder(string source) => _source = source;

        public void Add(string json, string where)
        {
            LogoutEvent? logoutEvent;
            string? skipped;
            try
            {
                logoutEvent = EventJson.Deserialize(json, out skipped);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new ReplayException($"{where}: not an atmos event ({ex.Message.ReplaceLineEndings(" ")}); the file is damaged there: repair or delete that line");
            }

            var run = logoutEvent?.Run ?? PeekRun(json);
            if (logoutEvent is not null && string.IsNullOrEmpty(run))
            {
                throw new ReplayException($"{where}: the event has no run id; the file is damaged there: repair or delete that line");
            }

            if (string.IsNullOrEmpty(run))
            {
                _warnings.Add($"{where}: skipped {skipped}");
                return;
            }

            if (!_runs.TryGetValue(run, out var recorded))
            {
                recorded = ([], []);
                _runs[run] = recorded;
                _order.Add(run);
            }

            if (logoutEvent is null)
            {
                recorded.Skipped.Add($"{where}: skipped {skipped} (written by a newer atmos?)");
            }
            else
            {
                recorded.Events.Add(logoutEvent);
            }

            _latest = run;
        }

        public RecordedRuns Build()
        {
            if (_latest is null)
            {
                throw new ReplayException($"{_source} holds no atmos runs; give an audit file (audit.jsonl) or the output of 'atmos auth logout --output json'");
            }

            var runs = _order.Select(id => new RecordedRun(id, _runs[id].Events, _runs[id].Skipped)).ToList();
            return new RecordedRuns(_source, runs, runs.Single(r => r.Id == _latest), _warnings);
        }

        private static string? PeekRun(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("run", out var run) && run.ValueKind == JsonValueKind.String ? run.GetString() : null;
        }
    }
}
