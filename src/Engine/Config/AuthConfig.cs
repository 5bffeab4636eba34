using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Engine.Config;

/// <summary>Where something was written in atmos.yaml, for error messages (1-based line and column).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A provider under <c>auth.providers</c>.</summary>
/// <param name="Name">Its key.</param>
/// <param name="Kind">Its <c>kind</c>.</param>
/// <param name="BasePath">Its <c>spec.files.base_path</c>, as written (not expanded), or null.</param>
/// <param name="Settings">All of its settings.</param>
/// <param name="Location">Where its key is.</param>
public sealed record ProviderConfig(string Name, string Kind, string? BasePath, Settings Settings, SourceLocation Location);

/// <summary>An identity under <c>auth.identities</c>.</summary>
/// <param name="Name">Its key.</param>
/// <param name="Kind">Its <c>kind</c>.</param>
/// <param name="ViaProvider"><c>via.provider</c>, or null.</param>
/// <param name="ViaIdentity"><c>via.identity</c>, or null.</param>
/// <param name="Settings">All of its settings.</param>
/// <param name="Location">Where its key is.</param>
public sealed record IdentityConfig(string Name, string Kind, string? ViaProvider, string? ViaIdentity, Settings Settings, SourceLocation Location);

/// <summary>An integration under <c>auth.integrations</c> (atmos's Docker logins, kubeconfigs, GitHub tokens...).</summary>
/// <param name="Name">Its key.</param>
/// <param name="Kind">Its <c>kind</c>.</param>
/// <param name="ViaIdentity"><c>via.identity</c>, or null.</param>
/// <param name="ViaProvider"><c>via.provider</c>, or null.</param>
/// <param name="Settings">All of its settings.</param>
/// <param name="Location">Where its key is.</param>
public sealed record IntegrationConfig(string Name, string Kind, string? ViaIdentity, string? ViaProvider, Settings Settings, SourceLocation Location);

/// <summary>The audit trail settings (<c>auth.audit</c>).</summary>
/// <param name="Enabled">False turns the audit file off.</param>
/// <param name="Path">Where the audit file goes; null = <c>$XDG_STATE_HOME/atmos/audit.jsonl</c>.</param>
public sealed record AuditSettings(bool Enabled, string? Path)
{
    /// <summary>On, at the default path.</summary>
    public static AuditSettings Default { get; } = new(true, null);
}

/// <summary>The <c>auth:</c> section of atmos.yaml.</summary>
public sealed record AuthConfig
{
    /// <summary>The main atmos.yaml with the last word (its folder anchors relative paths), or null for an in-memory config.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Every file read to build this config, in the order atmos merges them (main files, <c>.atmos.d/</c>, imports, profiles).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Providers by name, in file order.</summary>
    public IReadOnlyList<ProviderConfig> Providers { get; init; } = [];

    /// <summary>Identities by name, in file order.</summary>
    public IReadOnlyList<IdentityConfig> Identities { get; init; } = [];

    /// <summary>Integrations by name, in file order (<c>auth.integrations</c>).</summary>
    public IReadOnlyList<IntegrationConfig> Integrations { get; init; } = [];

    /// <summary>The keyring to use.</summary>
    public KeyringSettings Keyring { get; init; } = KeyringSettings.Default;

    /// <summary><c>auth.realm</c> as written (not validated), or null; <c>ATMOS_AUTH_REALM</c> overrides it (<see cref="AuthRealm"/>).</summary>
    public string? Realm { get; init; }

    /// <summary>Where <c>auth.realm</c> is written, for its validation message.</summary>
    public SourceLocation? RealmLocation { get; init; }

    /// <summary>The audit trail.</summary>
    public AuditSettings Audit { get; init; } = AuditSettings.Default;

    /// <summary>Problems found while reading the file (structure, types, unknown keys).</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; init; } = [];

    /// <summary>The provider of that exact name, or null.</summary>
    /// <param name="name">The name.</param>
    public ProviderConfig? FindProvider(string name) => Providers.FirstOrDefault(p => p.Name == name);

    /// <summary>The identity of that exact name, or null.</summary>
    /// <param name="name">The name.</param>
    public IdentityConfig? FindIdentity(string name) => Identities.FirstOrDefault(i => i.Name == name);
}

/// <summary>How bad a configuration problem is.</summary>
public enum ProblemSeverity
{
    /// <summary>Worth knowing; the command still runs.</summary>
    Warning,

    /// <summary>The configuration cannot be used: commands exit 2.</summary>
    Error,
}

/// <summary>One problem with atmos.yaml: one line naming the place, the problem and the fix.</summary>
/// <param name="Severity">Warning or error.</param>
/// <param name="Location">Where, when known.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ConfigProblem(ProblemSeverity Severity, SourceLocation? Location, string Message)
{
    /// <summary>
    /// The identities and providers an error is about. An error that names some blocks only them (and whatever chains
    /// through them): a logout fails their steps and logs out the rest. An error that names none rejects the run.
    /// </summary>
    public IReadOnlyList<string> Principals { get; init; } = [];

    /// <summary>
    /// For an error that names no identity or provider: true when it still blocks only what it touches (a broken plugin
    /// manifest: the kinds it would have provided are unknown, so those entries' steps fail), not the whole run.
    /// </summary>
    public bool IsLocal { get; init; }

    /// <summary>Whether the error makes the whole configuration unusable: it names no identity or provider and is not local.</summary>
    public bool IsGlobalError => Severity == ProblemSeverity.Error && Principals.Count == 0 && !IsLocal;

    /// <summary>
    /// Whether a command prints it before it runs, as a warning: a warning, or an error that blocks only some entries
    /// without naming them (a broken plugin manifest); errors naming entries are reported as those entries' steps.
    /// </summary>
    public bool IsPrintedBeforeRun => Severity == ProblemSeverity.Warning || (IsLocal && Principals.Count == 0);

    /// <summary>An error.</summary>
    /// <param name="location">Where.</param>
    /// <param name="message">What and how to fix.</param>
    public static ConfigProblem Error(SourceLocation? location, string message) => new(ProblemSeverity.Error, location, message);

    /// <summary>A warning.</summary>
    /// <param name="location">Where.</param>
    /// <param name="message">What and how to fix.</param>
    public static ConfigProblem Warning(SourceLocation? location, string message) => new(ProblemSeverity.Warning, location, message);

    /// <inheritdoc />
    public override string ToString() =>
        $"{(Location is null ? string.Empty : Location + ": ")}{(Severity == ProblemSeverity.Error ? "error" : "warning")}: {Message}";
}
