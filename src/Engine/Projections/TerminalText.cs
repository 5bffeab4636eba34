using System.Globalization;
using System.Text;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>
/// Makes one line of human output safe to print: control characters that came from input (a newline or an escape
/// sequence in a name, a value or a path) are shown as <c>\uXXXX</c>, and an absurdly long line is cut. So input can
/// neither break the one-line error format nor drive the terminal.
/// </summary>
public static class TerminalText
{
    /// <summary>Longer lines are cut (only hostile input gets near it: a multi-megabyte value echoed in an error).</summary>
    public const int MaxLineLength = 2000;

    /// <summary>The line, escaped and bounded.</summary>
    /// <param name="text">One line of output, without its line ending.</param>
    public static string Line(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxLineLength && !text.Any(char.IsControl))
        {
            return text;
        }

        var line = new StringBuilder(Math.Min(text.Length, MaxLineLength) + 40);
        var used = 0;
        for (; used < text.Length && line.Length < MaxLineLength; used++)
        {
            var c = text[used];
            if (char.IsControl(c))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else if (char.IsHighSurrogate(c) && line.Length + 2 > MaxLineLength)
            {
                break; // never split a surrogate pair
            }
            else
            {
                line.Append(c);
            }
        }

        return used < text.Length ? line.Append(CultureInfo.InvariantCulture, $"… ({text.Length - used} more characters)").ToString() : line.ToString();
    }
}
