using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Engine.Status;
using Spectre.Console;

namespace Atmos.Plugins.Host.Terminal;

/// <summary>
/// <c>atmos auth status</c> on a terminal: the cells of <see cref="StatusOutput"/> in a Spectre.Console table on
/// standard error, as wide as the terminal (or <c>$COLUMNS</c>). Only this path loads Spectre; pipes get the plain lines.
/// </summary>
/// <remarks>
/// Spectre folds a word that does not fit its column anywhere, and a path is one long word: the credential column is
/// wrapped here instead, between folders and at spaces, and names, classes and times are never wrapped. A terminal too
/// narrow for the longest file name gets the plain lines, which never break a path.
/// </remarks>
internal static class StatusTable
{
    // "│ " + " │ " between each of the five columns + " │".
    private const int Chrome = 2 + (3 * 4) + 2;

    /// <summary>Writes the table; false, writing nothing, when the terminal is too narrow for it.</summary>
    public static bool Write(StatusReport report, TextWriter error, bool color, string? columns)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (int.TryParse(columns, out var width) && width > 0)
        {
            console.Profile.Width = width;
        }

        var rows = StatusOutput.Rows(report).ToList();
        int Widest(string header, Func<StatusRow, string> cell) => rows.Select(r => cell(r).Length).Append(header.Length).Max();
        var fixedWidth = Chrome + Widest("Name", r => r.Name) + Widest("Class", r => r.Class) + Widest("Expires", r => r.Expires);
        var typeNatural = Widest("Type", r => r.Type);
        var typeLeast = rows.SelectMany(r => r.Type.Split(' ')).Select(w => w.Length).Append("Type".Length).Max();
        var credentialNatural = Widest("Credential", r => r.Credential);
        var credentialLeast = rows.SelectMany(r => Pieces(r.Credential)).Select(p => p.TrimEnd().Length).Append("Credential".Length).Max();
        var room = console.Profile.Width - fixedWidth;
        if (room < typeLeast + credentialLeast)
        {
            return false;
        }

        // The type keeps its width while the credential column still holds its longest file name; then it wraps.
        var type = room - typeNatural >= credentialLeast ? typeNatural : Math.Max(typeLeast, room - credentialLeast);
        var credential = Math.Min(credentialNatural, room - type);

        console.Write(Paint(StatusOutput.ConfigLine(report)));
        console.Write(Paint(StatusOutput.Heading(report)));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Name").NoWrap())
            .AddColumn(new TableColumn("Type").Width(type))
            .AddColumn(new TableColumn("Credential").Width(credential))
            .AddColumn(new TableColumn("Class").NoWrap())
            .AddColumn(new TableColumn("Expires").NoWrap());
        foreach (var row in rows)
        {
            var style = row.Stored ? Style.Plain : new Style(Color.Grey);
            table.AddRow(
                new Text(row.Name, new Style(decoration: Decoration.Bold)),
                new Text(row.Type),
                new Text(string.Join('\n', Wrap(row.Credential, credential)), style),
                new Text(row.Class, style),
                new Text(row.Expires, row.Expires.StartsWith("expired", StringComparison.Ordinal) ? new Style(Color.Yellow) : style));
        }

        console.Write(table);
        foreach (var line in StatusOutput.Summary(report))
        {
            console.Write(Paint(line));
        }

        return true;
    }

    /// <summary>Lines of at most <paramref name="width"/> characters, broken after a <c>/</c> or at a space.</summary>
    internal static IEnumerable<string> Wrap(string text, int width)
    {
        var line = string.Empty;
        foreach (var piece in Pieces(text))
        {
            if (line.Length > 0 && (line + piece).TrimEnd().Length > width)
            {
                yield return line.TrimEnd();
                line = string.Empty;
            }

            line += line.Length == 0 ? piece.TrimStart() : piece;
        }

        if (line.Length > 0)
        {
            yield return line.TrimEnd();
        }
    }

    // The text cut after each '/' and before each space: the places a line may break.
    private static IEnumerable<string> Pieces(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '/' || (text[i] == ' ' && i > start))
            {
                var end = text[i] == '/' ? i + 1 : i;
                yield return text[start..end];
                start = end;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static Text Paint(OutputLine line) => new(line.Text + Environment.NewLine, line.Tone switch
    {
        Tone.Success => new Style(Color.Green),
        Tone.Failure => new Style(Color.Red),
        Tone.Warning => new Style(Color.Yellow),
        Tone.Muted => new Style(Color.Grey),
        _ => Style.Plain,
    });
}
