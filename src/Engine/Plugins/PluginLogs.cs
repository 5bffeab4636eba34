using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>Where plugins' log lines (<see cref="PluginEnvironment.Log"/>) and console output go.</summary>
public interface IPluginLogSink
{
    /// <summary>A line of a plugin's log channel.</summary>
    /// <param name="plugin">The plugin's name.</param>
    /// <param name="level">Its level.</param>
    /// <param name="message">The line.</param>
    void Write(string plugin, PluginLogLevel level, string message);

    /// <summary>A line a plugin in its own process wrote to its console (standard output or error).</summary>
    /// <param name="plugin">The plugin's name.</param>
    /// <param name="line">The line.</param>
    void Console(string plugin, string line);
}

/// <summary>
/// Prints plugins' log lines on standard error, in the debug lines' format
/// (<c>2025-10-17T10:15:30Z WARN Plugin log plugin=acme message="..."</c>), at the level <c>ATMOS_LOGS_LEVEL</c> asks
/// for; console output only at <c>Debug</c>. Never standard output. At most <see cref="MaxLinesPerPlugin"/> lines of one
/// plugin, then one line saying the rest were dropped: a plugin cannot flood the terminal.
/// </summary>
/// <remarks>These lines are diagnostics, not part of the run's record: they are not events, so a replay does not print them.</remarks>
public sealed class PluginLogPrinter : IPluginLogSink
{
    /// <summary>The most lines printed for one plugin in one run.</summary>
    public const int MaxLinesPerPlugin = 200;

    private readonly TextWriter _error;
    private readonly LogLevel _level;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, int> _printed = new(StringComparer.Ordinal);

    /// <summary>Creates the printer.</summary>
    /// <param name="error">Standard error.</param>
    /// <param name="level">The configured level (<c>ATMOS_LOGS_LEVEL</c>).</param>
    /// <param name="clock">For the lines' timestamps.</param>
    public PluginLogPrinter(TextWriter error, LogLevel level, TimeProvider clock)
    {
        _error = error;
        _level = level;
        _clock = clock;
    }

    /// <summary>A sink that drops everything.</summary>
    public static IPluginLogSink None { get; } = new Discard();

    /// <inheritdoc />
    public void Write(string plugin, PluginLogLevel level, string message) =>
        Print(plugin, level switch { PluginLogLevel.Debug => LogLevel.Debug, PluginLogLevel.Info => LogLevel.Info, _ => LogLevel.Warning }, "Plugin log", "message", message);

    /// <inheritdoc />
    public void Console(string plugin, string line) => Print(plugin, LogLevel.Debug, "Plugin console output", "line", line);

    private void Print(string plugin, LogLevel level, string what, string field, string text)
    {
        if (_level == LogLevel.Off || level < _level)
        {
            return;
        }

        var shown = text.ReplaceLineEndings(" ");
        shown = shown.Length > 1000 ? shown[..999] + "…" : shown;
        lock (_printed)
        {
            var count = _printed.GetValueOrDefault(plugin);
            _printed[plugin] = count + 1;
            if (count > MaxLinesPerPlugin)
            {
                return;
            }

            var line = count == MaxLinesPerPlugin
                ? DebugLog.Line(_clock.GetUtcNow(), LogLevel.Warning, $"Plugin log plugin={plugin} message=\"further lines of this plugin are not shown (at most {MaxLinesPerPlugin} per run)\"")
                : DebugLog.Line(_clock.GetUtcNow(), level, $"{what} plugin={plugin} {field}={DebugLog.Quote(shown)}");
            _error.WriteLine(TerminalText.Line(line));
            _error.Flush();
        }
    }

    private sealed class Discard : IPluginLogSink
    {
        public void Write(string plugin, PluginLogLevel level, string message)
        {
        }

        public void Console(string plugin, string line)
        {
        }
    }
}
