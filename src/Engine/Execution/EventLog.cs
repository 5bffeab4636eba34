using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>Receives every event of a run as it is recorded, with the state after it (console, debug log, audit file...).</summary>
public interface IEventSink
{
    /// <summary>Called once per event, in order, never concurrently.</summary>
    /// <param name="logoutEvent">The event.</param>
    /// <param name="state">The run's state after it.</param>
    void Record(LogoutEvent logoutEvent, RunState state);
}

/// <summary>
/// The run's append-only log: stamps each event with the run id and the injected clock, folds it into the state and
/// hands it to the sinks. Nothing else in a run decides what happened.
/// </summary>
public sealed class EventLog
{
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<IEventSink> _sinks;
    private readonly List<LogoutEvent> _events = [];
    private readonly Lock _gate = new();

    /// <summary>Creates the log of one run.</summary>
    /// <param name="runId">The run id stamped on every event.</param>
    /// <param name="clock">Where timestamps come from.</param>
    /// <param name="sinks">Who hears about each event.</param>
    public EventLog(string runId, TimeProvider clock, IEnumerable<IEventSink> sinks)
    {
        RunId = runId;
        _clock = clock;
        _sinks = sinks.ToList();
    }

    /// <summary>The run id.</summary>
    public string RunId { get; }

    /// <summary>The state folded from every event so far.</summary>
    public RunState State { get; private set; } = RunState.Initial;

    /// <summary>Every event so far.</summary>
    public IReadOnlyList<LogoutEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>A new, time-ordered run id.</summary>
    /// <param name="clock">The clock.</param>
    public static string NewRunId(TimeProvider clock)
    {
        return Guid.CreateVersion7((clock ?? TimeProvider.System).GetUtcNow()).ToString("N");
    }

    /// <summary>Records an event.</summary>
    /// <typeparam name="T">The event type.</typeparam>
    /// <param name="logoutEvent">The event; its run id and time are set here.</param>
    /// <returns>The recorded (stamped) event.</returns>
    public T Record<T>(T logoutEvent)
        where T : LogoutEvent
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        lock (_gate)
        {
            var stamped = logoutEvent with { Run = RunId, At = _clock.GetUtcNow() };
            _events.Add(stamped);
            State = RunState.Evolve(State, stamped);
            foreach (var sink in _sinks)
            {
                sink.Record(stamped, State);
            }

            return (T)stamped;
        }
    }
}
