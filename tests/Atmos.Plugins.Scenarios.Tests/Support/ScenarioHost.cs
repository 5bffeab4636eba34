using Atmos.Plugins.Engine.Execution;

namespace Atmos.Plugins.Scenarios.Tests.Support;

/// <summary>
/// The scenarios' clock: always the reference doc's audit timestamp, so debug lines read exactly like the reference
/// (<c>2025-10-17T10:15:30Z DEBUG Starting logout identity=dev-admin</c>).
/// </summary>
public sealed class FixedClock : TimeProvider
{
    public static readonly DateTimeOffset Now = new(2025, 10, 17, 10, 15, 30, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A terminal that answers the picker and the keychain confirmation as a scenario says.</summary>
public sealed class ScriptedTerminal : IUserInteraction
{
    private readonly TerminalScript _script;

    public ScriptedTerminal(TerminalScript script) => _script = script;

    public bool CanPrompt => true;

    public Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken)
    {
        if (_script.Pick is null or "escape")
        {
            return Task.FromResult<PickChoice?>(null);
        }

        return Task.FromResult<PickChoice?>(choices.SingleOrDefault(c => c.Label == _script.Pick)
            ?? throw new InvalidOperationException($"the picker has no row '{_script.Pick}'; its rows are: {string.Join(" | ", choices.Select(c => c.Label))}"));
    }

    public Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken) =>
        Task.FromResult<bool?>(_script.Confirm switch
        {
            "yes" => true,
            "no" => false,
            "interrupt" or null => null,
            var other => throw new InvalidOperationException($"terminal.confirm must be yes, no or interrupt, not '{other}'"),
        });
}
