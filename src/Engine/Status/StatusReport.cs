using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Status;

/// <summary>A keyring entry that exists now.</summary>
/// <param name="Class">Session, long-lived, or unknown (its plugin is unavailable).</param>
/// <param name="Expires">When the credential expires, when its envelope says.</param>
public sealed record StoredEntry(StepClass Class, DateTimeOffset? Expires)
{
    /// <summary>The keyring keys found (the forms atmos versions stored the name under), current form first.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];
}

/// <summary>A credential file (or the part of one) that exists now.</summary>
/// <param name="Path">Its absolute path.</param>
/// <param name="Class">Session or long-lived.</param>
/// <param name="Description">What it is, in the plugin's words ("SSO token", "profile in credentials"...).</param>
/// <param name="Expires">When the credential in it expires, when it says.</param>
public sealed record StoredFile(string Path, StepClass Class, string Description, DateTimeOffset? Expires);

/// <summary>What is stored now for one identity or provider.</summary>
/// <param name="Name">The identity or provider.</param>
/// <param name="Role">Identity or provider.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Via">An identity's root provider, when it has one.</param>
/// <param name="Keyring">Its keyring entry, or null when there is none (or the keyring could not be read).</param>
/// <param name="Files">Its files that exist.</param>
public sealed record PrincipalStatus(string Name, PrincipalRole Role, string Kind, string? Via, StoredEntry? Keyring, IReadOnlyList<StoredFile> Files)
{
    /// <summary>Whether anything is stored for it.</summary>
    public bool HoldsCredentials => Keyring is not null || Files.Count > 0;
}

/// <summary>
/// <c>atmos auth status</c>: for each identity and provider of the scope, which keyring entries and files exist now.
/// Read-only: built from one keyring read and the plugins' <c>Inspect</c>; never holds a secret.
/// </summary>
public sealed record StatusReport
{
    /// <summary>The schema version of the JSON form.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Identity, provider or all.</summary>
    public required ScopeKind Scope { get; init; }

    /// <summary>The identity or provider asked about (null for all).</summary>
    public string? Target { get; init; }

    /// <summary>When it was taken (expiry is judged against this).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The home folder, for showing paths with <c>~</c>.</summary>
    public string? Home { get; init; }

    /// <summary>The realm keys and paths are scoped to, or null for none.</summary>
    public string? Realm { get; init; }

    /// <summary>Every configuration file read, in the order atmos merges them.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    /// <summary>The keyring backend read.</summary>
    public required string KeyringBackend { get; init; }

    /// <summary>Why the keyring could not be read, or null.</summary>
    public string? KeyringProblem { get; init; }

    /// <summary>The identities and providers, in the same order a logout lists them.</summary>
    public required IReadOnlyList<PrincipalStatus> Principals { get; init; }

    /// <summary>Plugins that could not be asked about their files, with the reason.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Whether everything could be inspected (exit 0; otherwise 1).</summary>
    public bool Complete => KeyringProblem is null && Problems.Count == 0;
}
