using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>One row of the interactive picker.</summary>
/// <param name="Label">What the row says, e.g. <c>Identity: dev-admin</c>.</param>
/// <param name="Scope">What choosing it logs out.</param>
/// <param name="Target">The identity or provider name (null for all).</param>
public sealed record PickChoice(string Label, ScopeKind Scope, string? Target);

/// <summary>The prompts a logout may need. The host implements them on a terminal; tests script them.</summary>
public interface IUserInteraction
{
    /// <summary>Whether prompts can be shown (a terminal is attached).</summary>
    bool CanPrompt { get; }

    /// <summary>Shows the picker.</summary>
    /// <param name="choices">The rows, in order.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl-C.</param>
    /// <returns>The chosen row, or null when the user pressed Esc or Ctrl-C.</returns>
    Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken);

    /// <summary>Asks "Delete keychain credentials for X?".</summary>
    /// <param name="subject">The identity, provider or "all identities".</param>
    /// <param name="entries">The keychain credentials that would be deleted.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl-C.</param>
    /// <returns>True for yes, false for no, null when interrupted.</returns>
    Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken);
}

/// <summary>No terminal: nothing can be asked.</summary>
public sealed class NonInteractive : IUserInteraction
{
    /// <summary>The single instance.</summary>
    public static NonInteractive Instance { get; } = new();

    /// <inheritdoc />
    public bool CanPrompt => false;

    /// <inheritdoc />
    public Task<PickChoice?> PickTargetAsync(IReadOnlyList<PickChoice> choices, CancellationToken cancellationToken) => Task.FromResult<PickChoice?>(null);

    /// <inheritdoc />
    public Task<bool?> ConfirmKeychainDeletionAsync(string subject, IReadOnlyList<string> entries, CancellationToken cancellationToken) => Task.FromResult<bool?>(null);
}
