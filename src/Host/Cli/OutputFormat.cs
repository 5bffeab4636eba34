using System.CommandLine;

namespace Atmos.Plugins.Host.Cli;

/// <summary><c>-o/--output text|json</c>, the same on every command that has a JSON form.</summary>
internal static class OutputFormat
{
    public const string Json = "json";

    /// <summary>The option, defaulting to text, refusing anything but text and json.</summary>
    /// <param name="description">What text and json mean for this command.</param>
    public static Option<string> Option(string description)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = description,
            DefaultValueFactory = _ => "text",
            HelpName = "text|json",
        };
        option.AcceptOnlyFromAmong("text", Json);
        return option;
    }
}
