using Atmos.Plugins.Engine.Execution;

namespace Atmos.Plugins.Scenarios.Tests.Support;

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
