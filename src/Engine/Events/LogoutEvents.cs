using System.Text.Json.Serialization;

namespace Atmos.Plugins.Engine.Events;

/// <summary>
/// Something that happened during a logout run. The family is closed: these records are the whole truth of a run. The
/// summary, the exit code, the audit trail and <c>--output json</c> are computed from them alone.
/// </summary>
/// <remarks>
/// The attributes below are the one declaration of the family and of each event's wire name (the <c>"type"</c> of its
/// JSON line). The names are literals on purpose: renaming a class must not change them, or every audit trail on disk
/// stops replaying. The reader takes them from here; <see cref="EventJson.WireName"/> repeats them for the writer, and a
/// test holds the two equal.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ConfigWarningReported), "ConfigWarningReported")]
[JsonDerivedType(typeof(LogoutRequested), "LogoutRequested")]
[JsonDerivedType(typeof(LogoutRejected), "LogoutRejected")]
[JsonDerivedType(typeof(ChainResolved), "ChainResolved")]
[JsonDerivedType(typeof(StepPlanned), "StepPlanned")]
[JsonDerivedType(typeof(CredentialPreserved), "CredentialPreserved")]
[JsonDerivedType(typeof(PluginLoadFailed), "PluginLoadFailed")]
[JsonDerivedType(typeof(LogoutConfirmed), "LogoutConfirmed")]
[JsonDerivedType(typeof(LogoutCancelled), "LogoutCancelled")]
[JsonDerivedType(typeof(RemovalStarted), "RemovalStarted")]
[JsonDerivedType(typeof(CredentialRemoved), "CredentialRemoved")]
[JsonDerivedType(typeof(CredentialNotFound), "CredentialNotFound")]
[JsonDerivedType(typeof(StepFailed), "StepFailed")]
[JsonDerivedType(typeof(LogoutInterrupted), "LogoutInterrupted")]
[JsonDerivedType(typeof(LogoutFailed), "LogoutFailed")]
[JsonDerivedType(typeof(LogoutCompleted), "LogoutCompleted")]
public abstract record LogoutEvent
{
    /// <summary>The schema version written with every event; readers skip events of a newer major shape they do not know.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The schema version of this event.</summary>
    [JsonPropertyName("v")]
    [JsonPropertyOrder(-3)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The run this event belongs to (stamped by the event log).</summary>
    [JsonPropertyOrder(-2)]
    public string Run { get; init; } = string.Empty;

    /// <summary>When it happened: UTC, from the run's injected clock (stamped by the event log).</summary>
    [JsonPropertyOrder(-1)]
    public DateTimeOffset At { get; init; }
}

/// <summary>What the user asked for.</summary>
public enum ScopeKind
{
    /// <summary>No target was chosen (the picker was cancelled or the command was rejected before one was known).</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>One identity.</summary>
    [JsonStringEnumMemberName("identity")]
    Identity,

    /// <summary>One provider and its identities.</summary>
    [JsonStringEnumMemberName("provider")]
    Provider,

    /// <summary>Everything.</summary>
    [JsonStringEnumMemberName("all")]
    All,

    /// <summary>Everything, plus what atmos left in every other realm of this machine (<c>--all-realms</c>).</summary>
    [JsonStringEnumMemberName("all-realms")]
    AllRealms,
    /// <summary>Every provider and identity carrying any of the requested tags (<c>--tags</c>).</summary>
    [JsonStringEnumMemberName("tags")]
    Tags,
}

/// <summary>
/// A problem in the configuration that does not stop the run (an unknown key, a plugin entry that cannot be used), as
/// printed before it. Recorded first, so a replay shows it too.
/// </summary>
public sealed record ConfigWarningReported : LogoutEvent
{
    /// <summary>The warning, one line, as printed.</summary>
    public required string Warning { get; init; }
}

/// <summary>A logout was asked for.</summary>
public sealed record LogoutRequested : LogoutEvent
{
    /// <summary>Identity, provider, all, or none yet.</summary>
    public required ScopeKind Scope { get; init; }

    /// <summary>The identity or provider name, or the tags comma-separated (null for all/none).</summary>
    public string? Target { get; init; }

    /// <summary><c>--dry-run</c>.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--keychain</c>.</summary>
    public bool Keychain { get; init; }

    /// <summary><c>--force</c>.</summary>
    public bool Force { get; init; }

    /// <summary>The home folder, so replays show paths with <c>~</c> exactly as the run did.</summary>
    public string? Home { get; init; }

    /// <summary>The realm the run's keys and paths are scoped to (<c>ATMOS_AUTH_REALM</c>, else <c>auth.realm</c>), or null for none.</summary>
    public string? Realm { get; init; }
    /// <summary>Every configuration file the run read, in the order atmos merges them (absent in runs recorded before it was kept).</summary>
    public IReadOnlyList<string>? ConfigFiles { get; init; }
}

/// <summary>The command could not run: a usage or configuration error (exit 2). Nothing was changed.</summary>
public sealed record LogoutRejected : LogoutEvent
{
    /// <summary>The error, one line.</summary>
    public required string Error { get; init; }

    /// <summary>A heading for <see cref="Choices"/>, such as "Available identities:".</summary>
    public string? ChoicesTitle { get; init; }

    /// <summary>Valid choices to list (sorted).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>What to do next.</summary>
    public string? Hint { get; init; }

    /// <summary>For a name not found: the configuration files that were searched for it.</summary>
    public IReadOnlyList<string>? Searched { get; init; }
}

/// <summary>The identity's authentication chain, root first.</summary>
public sealed record ChainResolved : LogoutEvent
{
    /// <summary>The identity.</summary>
    public required string Identity { get; init; }

    /// <summary>Root provider (or standalone identity) first, the identity last.</summary>
    public required IReadOnlyList<string> Chain { get; init; }
}

/// <summary>One step of the plan.</summary>
public sealed record StepPlanned : LogoutEvent
{
    /// <summary>The step.</summary>
    public required StepData Step { get; init; }
}

/// <summary>A long-lived (keychain) credential that this logout keeps because <c>--keychain</c> was not given.</summary>
public sealed record CredentialPreserved : LogoutEvent
{
    /// <summary>What is kept.</summary>
    public required StepData Step { get; init; }
}

/// <summary>A plugin the plan needed could not be loaded; its steps fail.</summary>
public sealed record PluginLoadFailed : LogoutEvent
{
    /// <summary>The plugin's name.</summary>
    public required string Plugin { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>The destructive <c>--keychain</c> logout was confirmed, at the prompt or with <c>--force</c>.</summary>
public sealed record LogoutConfirmed : LogoutEvent
{
    /// <summary>True when <c>--force</c> skipped the prompt.</summary>
    public bool Forced { get; init; }
}

/// <summary>Why a run was cancelled before removing anything.</summary>
public enum CancelReason
{
    /// <summary>The user answered No at the confirmation prompt (exit 0).</summary>
    [JsonStringEnumMemberName("declined")]
    Declined,

    /// <summary>The user pressed Esc or Ctrl-C at a prompt (exit 130).</summary>
    [JsonStringEnumMemberName("interrupted")]
    Interrupted,
}

/// <summary>The run stopped before removing anything.</summary>
public sealed record LogoutCancelled : LogoutEvent
{
    /// <summary>Declined or interrupted.</summary>
    public required CancelReason Reason { get; init; }
}

/// <summary>Removal begins (not recorded for dry runs).</summary>
public sealed record RemovalStarted : LogoutEvent
{
    /// <summary>How many steps will run.</summary>
    public int Steps { get; init; }
}

/// <summary>A step removed something.</summary>
public sealed record CredentialRemoved : LogoutEvent
{
    /// <summary>The step's index in the plan.</summary>
    public required int Step { get; init; }

    /// <summary>For a keyring step: the keys it removed (null for other steps).</summary>
    public IReadOnlyList<string>? Keys { get; init; }
}

/// <summary>A step found nothing to remove: already logged out. Not an error.</summary>
public sealed record CredentialNotFound : LogoutEvent
{
    /// <summary>The step's index in the plan.</summary>
    public required int Step { get; init; }

    /// <summary>What was looked for.</summary>
    public string? Detail { get; init; }
}

/// <summary>A step failed.</summary>
public sealed record StepFailed : LogoutEvent
{
    /// <summary>The step's index in the plan.</summary>
    public required int Step { get; init; }

    /// <summary>A few words, shown in parentheses on the step's line.</summary>
    public required string Reason { get; init; }

    /// <summary>What failed and how to fix it, for "Errors encountered".</summary>
    public string? Detail { get; init; }

    /// <summary>A known failure's solution, printed once after the errors as "Solution: ..." (reference doc, "Troubleshooting").</summary>
    public string? Fix { get; init; }
}

/// <summary>Ctrl-C during removal: later steps did not run (exit 130).</summary>
public sealed record LogoutInterrupted : LogoutEvent;

/// <summary>Something unexpected (a bug) stopped the run; later steps did not run (exit 1).</summary>
public sealed record LogoutFailed : LogoutEvent
{
    /// <summary>What failed, one line: the exception's type and message, never a stack trace.</summary>
    public required string Error { get; init; }
}

/// <summary>The run is over; nothing follows.</summary>
public sealed record LogoutCompleted : LogoutEvent;
