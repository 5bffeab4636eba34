using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Atmos.Plugins.Host.Terminal;

/// <summary>
/// The picker and the keychain confirmation on a terminal (Spectre.Console selection prompts), drawn on standard error
/// so standard output stays clean for <c>--output json</c>. Arrow keys move, Enter chooses; Esc and Ctrl-C cancel
/// (the caller records an interrupted run, exit 130). Spectre is only loaded when a prompt is actually shown.
/// </summary>
internal sealed class TerminalInteraction : IUserInteraction
{
    private readonly Func<IAnsiConsole> _console;

    public TerminalInteraction(bool color)
        : this(() => StandardError(color))
    {
    }

    /// <summary>Prompts on the console <paramref name="console"/> makes (a test console in unit tests).</summary>
    internal TerminalInteraction(Func<IAnsiConsole> console) => _console = console;

    public bool CanPrompt => true;

    public async Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken)
    {
        var cancelled = new PickChoice(string.Empty, ScopeKind.None, null);
        var prompt = new SelectionPrompt<PickChoice>()
            .Title("? " + Markup.Escape(HumanOutput.PickerTitle))
            .PageSize(Math.Clamp(choices.Count, 3, 20))
            .UseConverter(choice => Markup.Escape(choice.Label))
            .AddChoices(choices)
            .AddCancelResult(cancelled);
        var chosen = await ShowAsync(Console(), prompt, cancellationToken).ConfigureAwait(false);
        return chosen is null || ReferenceEquals(chosen, cancelled) ? null : chosen;
    }

    public async Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken)
    {
        var console = Console();
        foreach (var line in HumanOutput.KeychainConfirmation(subject, entries))
        {
            console.Write(new Text(line + Environment.NewLine));
        }

        // Deleting is permanent: the cursor starts on "No". As in atmos's confirmation (huh), y and n answer at once:
        // they move to their row and choose it.
        console.Shortcuts['y'] = console.Shortcuts['Y'] = [ConsoleKey.UpArrow, ConsoleKey.Enter];
        console.Shortcuts['n'] = console.Shortcuts['N'] = [ConsoleKey.DownArrow, ConsoleKey.Enter];
        const string cancelled = "";
        var prompt = new SelectionPrompt<string>()
            .AddChoices(HumanOutput.ConfirmYes, HumanOutput.ConfirmNo)
            .DefaultValue(HumanOutput.ConfirmNo)
            .AddCancelResult(cancelled);
        var answer = await ShowAsync(console, prompt, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            HumanOutput.ConfirmYes => true,
            HumanOutput.ConfirmNo => false,
            _ => null,
        };
    }

    // Ctrl-C arrives as the cancellation token (AtmosCli's CancelKeyPress handler); the prompt is then abandoned half
    // drawn, so the cursor Spectre hid is shown again whatever happened.
    private static async Task<T?> ShowAsync<T>(IAnsiConsole console, SelectionPrompt<T> prompt, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await prompt.ShowAsync(console, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            console.WriteLine();
            return null;
        }
        finally
        {
            console.Cursor.Show();
        }
    }

    private static IAnsiConsole StandardError(bool color) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Error),
        Ansi = AnsiSupport.Detect,
        ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.Yes,
    });

    private CancellableConsole Console() => new(_console());

    /// <summary>A console whose key reads end with <see cref="OperationCanceledException"/> once the token is cancelled.</summary>
    private sealed class CancellableConsole(IAnsiConsole inner) : IAnsiConsole
    {
        public Profile Profile => inner.Profile;

        public IAnsiConsoleCursor Cursor => inner.Cursor;

        private readonly CancellableInput _input = new(inner.Input);

        public IAnsiConsoleInput Input => _input;

        /// <summary>Keys that stand for a sequence of others (a letter that answers a prompt).</summary>
        public Dictionary<char, ConsoleKey[]> Shortcuts => _input.Shortcuts;

        public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

        public RenderPipeline Pipeline => inner.Pipeline;

        public void Clear(bool home) => inner.Clear(home);

        public void Write(IRenderable renderable) => inner.Write(renderable);

        public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);
    }

    /// <summary>
    /// Polls for a key so that a cancelled token ends the wait with an exception: Spectre's default input answers a
    /// cancelled read with "no key", and its prompt loop simply reads again, so the prompt would spin after Ctrl-C.
    /// </summary>
    private sealed class CancellableInput(IAnsiConsoleInput inner) : IAnsiConsoleInput
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

        private readonly Queue<ConsoleKey> _pending = new();

        public Dictionary<char, ConsoleKey[]> Shortcuts { get; } = [];

        public bool IsKeyAvailable() => _pending.Count > 0 || inner.IsKeyAvailable();

        public ConsoleKeyInfo? ReadKey(bool intercept) => _pending.Count > 0 ? Key(_pending.Dequeue()) : Expand(inner.ReadKey(intercept));

        public async Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken)
        {
            while (!IsKeyAvailable())
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return ReadKey(intercept);
        }

        // A shortcut key is answered with the first key it stands for; the rest follow on the next reads.
        private ConsoleKeyInfo? Expand(ConsoleKeyInfo? key)
        {
            if (key is not { } read || !Shortcuts.TryGetValue(read.KeyChar, out var keys))
            {
                return key;
            }

            foreach (var next in keys.Skip(1))
            {
                _pending.Enqueue(next);
            }

            return Key(keys[0]);
        }

        private static ConsoleKeyInfo Key(ConsoleKey key) => new('\0', key, shift: false, alt: false, control: false);
    }
}
