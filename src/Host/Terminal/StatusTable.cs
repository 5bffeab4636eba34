using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Engine.Status;
using Spectre.Console;

namespace Atmos.Plugins.Host.Terminal;

/// <summary>
/// <c>atmos auth status</c> on a terminal: the cells of <see cref="StatusOutput"/> in a Spectre.Console table on
/// standard error, as wide as the terminal (or <c>$COLUMNS</c>). Only this path loads Spectre; pipes get the plain lines.
/// </summary>
internal static class StatusTable
{
    public static void Write(StatusReport report, TextWriter error, bool color, string? columns)
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

        console.Write(Paint(StatusOutput.ConfigLine(report)));
        console.Write(Paint(StatusOutput.Heading(report)));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Name")
            .AddColumn("Type")
            .AddColumn("Credential")
            .AddColumn("Class")
            .AddColumn("Expires");
        foreach (var row in StatusOutput.Rows(report))
        {
            var style = row.Stored ? Style.Plain : new Style(Color.Grey);
            table.AddRow(
                new Text(row.Name, new Style(decoration: Decoration.Bold)),
                new Text(row.Type),
                new Text(row.Credential, style),
                new Text(row.Class, style),
                new Text(row.Expires, row.Expires.StartsWith("expired", StringComparison.Ordinal) ? new Style(Color.Yellow) : style));
        }

        console.Write(table);
        foreach (var line in StatusOutput.Summary(report))
        {
            console.Write(Paint(line));
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
