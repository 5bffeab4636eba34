using System.Text.Json.Serialization;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Events;

/// <summary>What a step works on.</summary>
public enum StepType
{
    /// <summary>A keyring entry, removed by the host.</summary>
    [JsonStringEnumMemberName("keyring")]
    Keyring,

    /// <summary>Files, changed by a plugin.</summary>
    [JsonStringEnumMemberName("files")]
    Files,

    /// <summary>A plugin's share of the work that cannot run because the plugin is unavailable; it always fails.</summary>
    [JsonStringEnumMemberName("plugin")]
    Plugin,

    /// <summary>An identity or provider whose configuration is broken (a loop, a dangling via, a bad kind): it always fails, naming the problem.</summary>
    [JsonStringEnumMemberName("config")]
    Config,

    /// <summary>A folder atmos left in a realm that no configured provider names (<c>--all-realms</c>), removed by the host.</summary>
    [JsonStringEnumMemberName("folder")]
    Folder,
}

/// <summary>Whether a keyring entry belongs to an identity or a provider.</summary>
public enum PrincipalRole
{
    /// <summary>An identity (under <c>auth.identities</c>).</summary>
    [JsonStringEnumMemberName("identity")]
    Identity,

    /// <summary>A provider (under <c>auth.providers</c>).</summary>
    [JsonStringEnumMemberName("provider")]
    Provider,
}

/// <summary>Whether a keyring entry existed when the plan was made.</summary>
public enum Presence
{
    /// <summary>Not checked (file steps), or the keyring could not be read.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,

    /// <summary>The entry existed.</summary>
    [JsonStringEnumMemberName("present")]
    Present,

    /// <summary>The entry did not exist.</summary>
    [JsonStringEnumMemberName("absent")]
    Absent,
}

/// <summary>Session, long-lived, or not known (its plugin is unavailable).</summary>
public enum StepClass
{
    /// <summary>Session data.</summary>
    [JsonStringEnumMemberName("session")]
    Session,

    /// <summary>A keychain credential.</summary>
    [JsonStringEnumMemberName("long-lived")]
    LongLived,

    /// <summary>Could not be classified.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,
}

/// <summary>
/// A planned step as data: what the dry run prints, what the audit trail records and what replays read. Never holds
/// a secret.
/// </summary>
public sealed record StepData
{
    /// <summary>Its position in the plan, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>Keyring or files.</summary>
    public required StepType Type { get; init; }

    /// <summary>The keyring entry's identity or provider name, or the absolute path shown on the step's line.</summary>
    public required string Target { get; init; }

    /// <summary>
    /// For keyring steps: the keyring keys the step removes, the forms atmos versions stored the name under
    /// (<c>atmos_&lt;realm&gt;_&lt;name&gt;</c>, <c>atmos_&lt;name&gt;</c>, <c>&lt;name&gt;</c>; lower case and as written): those
    /// found when planned, or every form when none was. Null for other steps (and in runs recorded before keys had forms:
    /// the key was <see cref="Target"/>).
    /// </summary>
    public IReadOnlyList<string>? Keys { get; init; }

    /// <summary>The identities or providers this step logs out.</summary>
    public required IReadOnlyList<string> Principals { get; init; }

    /// <summary>Session, long-lived or unknown.</summary>
    public StepClass Class { get; init; } = StepClass.Session;

    /// <summary>For keyring steps: whether the entry belongs to an identity or a provider.</summary>
    public PrincipalRole Role { get; init; } = PrincipalRole.Identity;

    /// <summary>The kind of the keyring entry's identity or provider.</summary>
    public string? Kind { get; init; }

    /// <summary>The root provider of an identity's keyring entry (shown as "(via P)" in provider logouts).</summary>
    public string? Via { get; init; }

    /// <summary>Whether the keyring entry existed when planned.</summary>
    public Presence Presence { get; init; } = Presence.Unknown;

    /// <summary>The plugin that executes a file step (or that was needed and is unavailable).</summary>
    public string? Plugin { get; init; }

    /// <summary>The plugin's action name for a file step.</summary>
    public string? Action { get; init; }

    /// <summary>Absolute paths a file step may change.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Shown after the target in parentheses.</summary>
    public string? Note { get; init; }

    /// <summary>The plugin's execution data for a file step (no secrets).</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();

    /// <summary>Set when the step cannot run (its plugin is unavailable): it fails with this reason.</summary>
    public string? Blocked { get; init; }

    /// <summary>The full sentence for a blocked step's error.</summary>
    public string? BlockedDetail { get; init; }

    /// <summary>Converts <see cref="Contracts.CredentialClass"/>.</summary>
    /// <param name="credentialClass">The class.</param>
    public static StepClass From(CredentialClass credentialClass) =>
        credentialClass == CredentialClass.LongLived ? StepClass.LongLived : StepClass.Session;

    /// <summary>
    /// A plugin's file step as a plan step. <see cref="ToFileStep"/> gives back exactly the plugin's step (a test holds
    /// the round trip): the plan records everything the plugin needs to execute it, in any instance or process.
    /// </summary>
    /// <param name="plugin">The plugin that planned it (and executes it).</param>
    /// <param name="fileStep">The plugin's step.</param>
    public static StepData ForFiles(string plugin, FileStep fileStep)
    {
        ArgumentNullException.ThrowIfNull(fileStep);
        return new StepData
        {
            Index = 0,
            Type = StepType.Files,
            Target = fileStep.Target,
            Principals = fileStep.Principals.ToList(),
            Class = From(fileStep.Class),
            Plugin = plugin,
            Action = fileStep.Action,
            Paths = fileStep.Paths.ToList(),
            Note = fileStep.Note,
            Arguments = new Dictionary<string, string>(fileStep.Arguments, StringComparer.Ordinal),
        };
    }

    /// <summary>The plugin's file step this plan step was made from (<see cref="ForFiles"/>), for its <c>Execute</c>.</summary>
    /// <exception cref="InvalidOperationException">Not a file step.</exception>
    public FileStep ToFileStep() => Type == StepType.Files && Action is not null && Class != StepClass.Unknown
        ? new FileStep
        {
            Action = Action,
            Principals = Principals,
            Target = Target,
            Paths = Paths,
            Note = Note,
            Class = Class == StepClass.LongLived ? CredentialClass.LongLived : CredentialClass.Session,
            Arguments = Arguments,
        }
        : throw new InvalidOperationException($"step {Index} is not a plugin's file step");
}
