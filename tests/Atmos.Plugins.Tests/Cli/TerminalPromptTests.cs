using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Host.Terminal;
using Spectre.Console.Testing;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>
/// The picker and the <c>--keychain</c> confirmation as drawn on a terminal (<see cref="TerminalInteraction"/>), driven
/// key by key on Spectre's test console: what each key chooses and exactly what is drawn. The same prompts run for real
/// in a tmux pane in <c>Published/InteractiveTerminalTests</c>.
/// </summary>
public sealed class TerminalPromptTests
{
    private static readonly PickChoice DevAdmin = new("dev-admin (identity)", ScopeKind.Identity, "dev-admin");
    private static readonly PickChoice Bracketed = new("ops [eu] (identity)", ScopeKind.Identity, "ops [eu]");
    private static readonly PickChoice AwsSso = new("aws-sso (provider)", ScopeKind.Provider, "aws-sso");
    private static readonly PickChoice[] Choices = [DevAdmin, Bracketed, AwsSso];

    // The picker as first drawn: the title, a blank line, the rows with the cursor on the first.
    private static readonly string[] FirstDrawing =
    [
        "? Choose what to logout from:",
        "",
        "> dev-admin (identity)",
        "  ops [eu] (identity)",
        "  aws-sso (provider)",
    ];

    private readonly TestConsole _console = new TestConsole().Interactive();

    [Fact]
    public async Task Enter_picks_the_row_under_the_cursor_which_starts_on_the_first()
    {
        _console.Input.PushKey(ConsoleKey.Enter);

        Assert.Same(DevAdmin, await Prompts().PickTargetAsync(Choices, CancellationToken.None));
        Assert.Equal(FirstDrawing, Drawn());
    }

    [Fact]
    public async Task Arrow_keys_move_the_cursor_and_each_move_redraws_the_list()
    {
        _console.Input.PushKey(ConsoleKey.DownArrow);
        _console.Input.PushKey(ConsoleKey.DownArrow);
        _console.Input.PushKey(ConsoleKey.UpArrow);
        _console.Input.PushKey(ConsoleKey.Enter);

        // A label is text, never markup: the brackets are shown as typed.
        Assert.Same(Bracketed, await Prompts().PickTargetAsync(Choices, CancellationToken.None));
        Assert.Equal(
            [
                "? Choose what to logout from:",
                "",
                "> dev-admin (identity)",
                "  ops [eu] (identity)",
                "  aws-sso (provider)         ? Choose what to logout from:",
                "",
                "  dev-admin (identity)",
                "> ops [eu] (identity)",
                "  aws-sso (provider)         ? Choose what to logout from:",
                "",
                "  dev-admin (identity)",
                "  ops [eu] (identity)",
                "> aws-sso (provider)         ? Choose what to logout from:",
                "",
                "  dev-admin (identity)",
                "> ops [eu] (identity)",
                "  aws-sso (provider)",
            ],
            Drawn());
    }

    [Fact]
    public async Task Esc_in_the_picker_chooses_nothing()
    {
        _console.Input.PushKey(ConsoleKey.DownArrow);
        _console.Input.PushKey(ConsoleKey.Escape);

        Assert.Null(await Prompts().PickTargetAsync(Choices, CancellationToken.None));
    }

    [Fact]
    public async Task Ctrl_C_in_the_picker_chooses_nothing_and_ends_the_half_drawn_prompt_with_a_new_line()
    {
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.Null(await Prompts().PickTargetAsync(Choices, ctrlC.Token));
        Assert.EndsWith("\n", _console.Output, StringComparison.Ordinal);
        Assert.Equal(FirstDrawing, Drawn());
    }

    [Fact]
    public async Task Enter_at_the_confirmation_keeps_the_credentials_because_the_cursor_starts_on_No()
    {
        _console.Input.PushKey(ConsoleKey.Enter);

        Assert.False(await Confirm());
        Assert.Equal(
            [
                "Delete keychain credentials for dev-admin?",
                "This will permanently remove:",
                "• IAM user access keys",
                "• Service account credentials",
                "• Provider credentials",
                "Keychain credentials found: Keyring: dev-admin",
                "Session data will also be cleared.",
                "  Yes, delete credentials",
                "> No, keep credentials",
            ],
            Drawn());
    }

    [Fact]
    public async Task Up_then_Enter_at_the_confirmation_deletes()
    {
        _console.Input.PushKey(ConsoleKey.UpArrow);
        _console.Input.PushKey(ConsoleKey.Enter);

        Assert.True(await Confirm());
        Assert.EndsWith("> Yes, delete credentials\n  No, keep credentials", string.Join('\n', Drawn()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_Down_then_Enter_at_the_confirmation_keeps_the_credentials()
    {
        _console.Input.PushKey(ConsoleKey.UpArrow);
        _console.Input.PushKey(ConsoleKey.DownArrow);
        _console.Input.PushKey(ConsoleKey.Enter);

        Assert.False(await Confirm());
    }

    [Theory]
    [InlineData('y', true)]
    [InlineData('Y', true)]
    [InlineData('n', false)]
    [InlineData('N', false)]
    public async Task Y_or_n_at_the_confirmation_answers_at_once_as_in_atmos(char key, bool deletes)
    {
        _console.Input.PushCharacter(key);

        Assert.Equal(deletes, await Confirm());
        Assert.EndsWith(deletes ? "> Yes, delete credentials\n  No, keep credentials" : "  Yes, delete credentials\n> No, keep credentials", string.Join('\n', Drawn()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Esc_at_the_confirmation_answers_neither()
    {
        _console.Input.PushKey(ConsoleKey.UpArrow);
        _console.Input.PushKey(ConsoleKey.Escape);

        Assert.Null(await Confirm());
    }

    [Fact]
    public async Task Ctrl_C_at_the_confirmation_answers_neither()
    {
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.Null(await Confirm(ctrlC.Token));
    }

    private TerminalInteraction Prompts() => new(() => _console);

    private Task<bool?> Confirm(CancellationToken cancellationToken = default) =>
        Prompts().ConfirmKeychainDeletionAsync("dev-admin", ["Keyring: dev-admin"], cancellationToken);

    // What the console shows, line by line, without the padding Spectre adds at the end of each row (up to the width of
    // the widest). Without ANSI support a redraw is written after the previous drawing instead of over it.
    private string[] Drawn() =>
        _console.Output.Split('\n').Select(line => line.TrimEnd()).SkipLast(_console.Output.EndsWith('\n') ? 1 : 0).ToArray();
}
