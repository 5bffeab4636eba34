using Atmos.Plugins.Engine.Execution;
using Spectre.Console;

namespace Atmos.Plugins.Host.Terminal;

/// <summary>
/// The picker and the keychain confirmation on a terminal (Spectre.Console), drawn on standard error so standard
/// output stays clean for <c>--output json</c>. Spectre is only loaded when a prompt is actually shown.
/// </summary>
internal sealed class TerminalInteraction : IUserInteraction
{
    private const string Yes = "Yes, delete credentials";
    private const string No = "No, keep credentials";
    private readonly bool _color;

    public TerminalInteraction(bool color) => _color = color;

    public bool CanPrompt => true;

    public async Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken)
    {
        var prompt = new SelectionPrompt<PickChoice>()
            .Title("Choose what to logout from:")
            .PageSize(Math.Clamp(choices.Count, 3, 20))
            .UseConverter(choice => Markup.Escape(choice.Label))
            .AddChoices(choices);
        try
        {
            return await prompt.ShowAsync(Console(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken)
    {
        var console = Console();
        console.WriteLine($"Delete keychain credentials for {subject}?");
        console.WriteLine("This will permanently remove:");
        console.WriteLine("• IAM user access keys");
        console.WriteLine("• Service account credentials");
        console.WriteLine("• Provider credentials");
        foreach (var entry in entries)
        {
            console.WriteLine($"  - {entry}");
        }

        console.WriteLine("Session data will also be cleared.");
        var prompt = new SelectionPrompt<string>().AddChoices(Yes, No);
        try
        {
            return await prompt.ShowAsync(console, cancellationToken).ConfigureAwait(false) == Yes;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private IAnsiConsole Console() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Error),
        Ansi = AnsiSupport.Detect,
        ColorSystem = _color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.Yes,
    });
}
