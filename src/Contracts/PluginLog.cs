namespace Atmos.Plugins.Contracts;

/// <summary>How much a plugin's log line matters.</summary>
public enum PluginLogLevel
{
    /// <summary>Detail for whoever debugs the plugin: shown with <c>ATMOS_LOGS_LEVEL=Debug</c>.</summary>
    Debug,

    /// <summary>What the plugin did: shown with <c>ATMOS_LOGS_LEVEL=Info</c> or <c>Debug</c>.</summary>
    Info,

    /// <summary>Something the user may want to act on: shown with <c>ATMOS_LOGS_LEVEL</c> set to <c>Warning</c> or lower.</summary>
    Warning,
}

/// <summary>
/// The plugin's log channel (contract 1.2): lines written here reach the user's standard error, named after the plugin,
/// at the level <c>ATMOS_LOGS_LEVEL</c> asks for, and never standard output (which <c>--output json</c> owns). Get it
/// from <see cref="PluginEnvironment.Log"/>. A plugin never writes to the console: what it writes there is kept off
/// standard output and shown only as debug lines.
/// </summary>
/// <remarks>
/// Log lines are printed, not audited: they are diagnostics, not part of the logout's record. Never log a secret.
/// A line is cut at 1,000 characters and line breaks become spaces; atmos prints at most a few hundred lines of one
/// plugin per run.
/// </remarks>
public sealed class PluginLog
{
    private readonly Action<PluginLogLevel, string> _write;

    /// <summary>A log whose lines go to <paramref name="write"/> (atmos makes the real one; tests make their own).</summary>
    /// <param name="write">Receives each line with its level.</param>
    public PluginLog(Action<PluginLogLevel, string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _write = write;
    }

    /// <summary>A log that drops every line: the default of a <see cref="PluginEnvironment"/> made without one.</summary>
    public static PluginLog None { get; } = new(static (_, _) => { });

    /// <summary>Writes a debug line.</summary>
    /// <param name="message">One line, no secret.</param>
    public void Debug(string message) => Write(PluginLogLevel.Debug, message);

    /// <summary>Writes an informational line.</summary>
    /// <param name="message">One line, no secret.</param>
    public void Info(string message) => Write(PluginLogLevel.Info, message);

    /// <summary>Writes a warning.</summary>
    /// <param name="message">One line, no secret.</param>
    public void Warning(string message) => Write(PluginLogLevel.Warning, message);

    /// <summary>Writes a line at <paramref name="level"/>.</summary>
    /// <param name="level">How much it matters.</param>
    /// <param name="message">One line, no secret; null is written as an empty line.</param>
    public void Write(PluginLogLevel level, string message) => _write(level, message ?? string.Empty);
}
