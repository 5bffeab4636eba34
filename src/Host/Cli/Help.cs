using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Atmos.Plugins.Host.Cli;

/// <summary>One example in a command's help: a comment and the command lines it explains.</summary>
/// <param name="Comment">What the example does.</param>
/// <param name="Lines">The command lines.</param>
internal sealed record HelpExample(string Comment, params string[] Lines);

/// <summary>
/// <c>--help</c>: System.CommandLine's own help at a fixed width (so it reads the same in every terminal and can be
/// snapshot), followed by an "Examples:" section for the commands that have examples. System.CommandLine 2.0 keeps its
/// help builder internal, so the examples are written after its output by wrapping the help option's action.
/// </summary>
internal static class Help
{
    /// <summary>The width help is wrapped at.</summary>
    public const int Width = 100;

    public static void Configure(RootCommand root, IReadOnlyDictionary<Command, IReadOnlyList<HelpExample>> examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        var builtIn = (HelpAction)help.Action!;
        builtIn.MaxWidth = Width;
        help.Action = new WithExamples(builtIn, examples);
    }

    private sealed class WithExamples(HelpAction builtIn, IReadOnlyDictionary<Command, IReadOnlyList<HelpExample>> examples) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var code = builtIn.Invoke(parseResult);
            if (!examples.TryGetValue(parseResult.CommandResult.Command, out var list))
            {
                return code;
            }

            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    output.WriteLine();
                }

                output.WriteLine($"  # {list[i].Comment}");
                foreach (var line in list[i].Lines)
                {
                    output.WriteLine($"  {line}");
                }
            }

            output.WriteLine();
            return code;
        }
    }
}
