using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Terminal;

/// <summary>Prints each event's human lines and debug lines to standard error as it is recorded (and other commands' human lines).</summary>
internal sealed class ConsoleSink : IEventSink
{
    private readonly TextWriter _error;
    private readonly bool _color;
    private readonly LogLevel _level;

    public ConsoleSink(TextWriter error, bool color, LogLevel level)
    {
        _error = error;
        _color = color;
        _level = level;
    }

    public void Record(LogoutEvent logoutEvent, RunState state)
    {
        foreach (var line in DebugLog.Render(logoutEvent, state, _level))
        {
            var safe = TerminalText.Line(line);
            _error.WriteLine(_color ? $"\u001b[2m{safe}\u001b[0m" : safe);
        }

        Write(HumanOutput.Render(logoutEvent, state));
    }

    /// <summary>Writes human lines, coloured when the terminal wants colour.</summary>
    public void Write(IEnumerable<OutputLine> lines)
    {
        foreach (var line in lines)
        {
            _error.WriteLine(Paint(line));
        }

        _error.Flush();
    }

    private string Paint(OutputLine line)
    {
        var text = TerminalText.Line(line.Text);
        if (!_color || line.Tone == Tone.Plain || text.Length == 0)
        {
            return text;
        }

        var code = line.Tone switch
        {
            Tone.Success => "32",
            Tone.Failure => "31",
            Tone.Warning => "33",
            _ => "2",
        };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
