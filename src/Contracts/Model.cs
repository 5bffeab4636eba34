namespace Atmos.Plugins.Contracts;

/// <summary>Which part of the configuration a logout covers.</summary>
public enum LogoutScope
{
    /// <summary>One identity and the session entries of its chain.</summary>
    Identity,

    /// <summary>A provider, every identity whose chain ends at it, and its whole folder.</summary>
    Provider,

    /// <summary>Every provider and every identity, standalone ones included.</summary>
    All,
}

/// <summary>The two classes of stored credential (SPEC §2).</summary>
public enum CredentialClass
{
    /// <summary>Tokens, temporary role credentials, anything with a session token or an expiry. Every logout removes them.</summary>
    Session,

    /// <summary>Keychain credentials: IAM user keys, service-account keys, client secrets. Removed only with <c>--keychain</c>.</summary>
    LongLived,
}

/// <summary>How a step ended.</summary>
public enum StepStatus
{
    /// <summary>Something was removed.</summary>
    Removed,

    /// <summary>Nothing was there to remove: already logged out. Not an error.</summary>
    NotFound,

    /// <summary>The step could not do its work; <see cref="StepResult.Reason"/> says why.</summary>
    Failed,
}

/// <summary>A provider as configured, with its file folder resolved by the host.</summary>
/// <param name="Name">The provider's name (its key under <c>auth.providers</c>).</param>
/// <param name="Kind">Its kind, one this plugin declared.</param>
/// <param name="BaseFolder">The base folder of the current layout (<see cref="Folders"/>[0]): <c>&lt;base_path&gt;/[&lt;realm&gt;/]&lt;cloud&gt;</c> or <c>&lt;atmos config home&gt;/[&lt;realm&gt;/]&lt;cloud&gt;</c>. Deletes must stay inside it.</param>
/// <param name="Folder">The provider's own folder in the current layout, <c>&lt;BaseFolder&gt;/&lt;Name&gt;</c>.</param>
/// <param name="UsesDefaultBase">True when no <c>base_path</c> was configured (the output then says "XDG-compliant").</param>
/// <param name="Settings">Every other setting of the provider (region, start_url, spec...).</param>
public sealed record ProviderTarget(
    string Name,
    string Kind,
    string BaseFolder,
    string Folder,
    bool UsesDefaultBase,
    Settings Settings)
{
    private readonly IReadOnlyList<ProviderFolder>? _folders;

    /// <summary>
    /// Every folder an atmos version (v1.199 to today) put this provider's files in on this machine, current layout
    /// first, each distinct: look in all of them for what the provider leaves. <see cref="BaseFolder"/> and
    /// <see cref="Folder"/> are the first. A host older than contract 1.2 (or a test that does not set it) gives only
    /// the current folder.
    /// </summary>
    public IReadOnlyList<ProviderFolder> Folders
    {
        get => _folders ?? [new ProviderFolder(BaseFolder, Folder, FolderLayout.Current)];
        init => _folders = value;
    }
}

/// <summary>Which atmos layout a provider folder belongs to (see <see cref="ProviderTarget.Folders"/>).</summary>
public enum FolderLayout
{
    /// <summary>Today's layout: <c>&lt;base_path&gt;/[&lt;realm&gt;/]&lt;cloud&gt;/&lt;provider&gt;</c>, or without a base_path <c>&lt;atmos config home&gt;/[&lt;realm&gt;/]&lt;cloud&gt;/&lt;provider&gt;</c>.</summary>
    Current,

    /// <summary>With a realm set: the same folder without the realm, where atmos wrote before the realm was set (and where v1.199 to v1.205 wrote).</summary>
    NoRealm,

    /// <summary>With a base_path set: <c>&lt;atmos config home&gt;/[&lt;realm&gt;/]&lt;cloud&gt;/&lt;provider&gt;</c> (and, with a realm, the same without it), where identities write since v1.206 whatever the provider's base_path.</summary>
    IdentityDefault,

    /// <summary>With a base_path set: <c>&lt;base_path&gt;/&lt;provider&gt;</c>, where v1.199 to v1.205 wrote.</summary>
    BasePathV1199,
}

/// <summary>One folder that may hold a provider's files.</summary>
/// <param name="BaseFolder">The folder deletes in <paramref name="Folder"/> must stay inside: its parent.</param>
/// <param name="Folder">The provider's folder, <c>&lt;BaseFolder&gt;/&lt;provider&gt;</c>.</param>
/// <param name="Layout">Which atmos layout it belongs to.</param>
public sealed record ProviderFolder(string BaseFolder, string Folder, FolderLayout Layout);

/// <summary>An identity as configured, with its resolved chain.</summary>
/// <param name="Name">The identity's name (its key under <c>auth.identities</c>).</param>
/// <param name="Kind">Its kind, one this plugin declared.</param>
/// <param name="Chain">The authentication chain from the root provider (or first standalone identity) to this identity, inclusive.</param>
/// <param name="Provider">The provider the chain ends at, or null for a standalone identity (such as <c>aws/user</c>).</param>
/// <param name="Settings">Every other setting of the identity (principal, account, via...).</param>
public sealed record IdentityTarget(
    string Name,
    string Kind,
    IReadOnlyList<string> Chain,
    ProviderTarget? Provider,
    Settings Settings);

/// <summary>What a plugin is asked to plan or inspect.</summary>
/// <param name="Scope">The scope the user asked for.</param>
/// <param name="Providers">Providers of this plugin's kinds being logged out entirely (their folders go).</param>
/// <param name="Identities">Identities of this plugin's kinds being logged out. In provider and all scopes this includes the identities under <paramref name="Providers"/>.</param>
/// <param name="Environment">Where things live on this machine.</param>
public sealed record PlanRequest(
    LogoutScope Scope,
    IReadOnlyList<ProviderTarget> Providers,
    IReadOnlyList<IdentityTarget> Identities,
    PluginEnvironment Environment)
{
    /// <summary>
    /// The identities whose own files must be edited: those whose provider is not in <see cref="Providers"/> (a provider
    /// logged out whole takes its folder, and their files with it), standalone identities included.
    /// </summary>
    public IEnumerable<IdentityTarget> IdentitiesOutsideWholeProviders()
    {
        // A set, not a scan of Providers per identity: --all over many providers and identities stays linear.
        var whole = Providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return Identities.Where(i => i.Provider is null || !whole.Contains(i.Provider.Name));
    }
}

/// <summary>Where things live on this machine, as the host resolved it. Use it instead of reading the process environment.</summary>
/// <param name="HomeDirectory">The user's home folder.</param>
/// <param name="DefaultBaseFolder"><c>&lt;atmos config home&gt;/[&lt;realm&gt;/]&lt;cloud&gt;</c> for this plugin: where standalone identities' files live (<see cref="DefaultBaseFolders"/>[0]).</param>
/// <param name="CacheHome"><c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.</param>
/// <param name="DataHome"><c>$XDG_DATA_HOME</c> or <c>~/.local/share</c>.</param>
/// <param name="LockTimeout">How long to wait for a file lock before failing the step.</param>
/// <param name="Clock">The run's clock (for expiry checks).</param>
/// <param name="Variables">A snapshot of the process environment variables.</param>
public sealed record PluginEnvironment(
    string HomeDirectory,
    string DefaultBaseFolder,
    string CacheHome,
    string DataHome,
    TimeSpan LockTimeout,
    TimeProvider Clock,
    IReadOnlyDictionary<string, string> Variables)
{
    private readonly string? _atmosConfigHome;
    private readonly string? _atmosCacheHome;
    private readonly string? _atmosDataHome;
    private readonly IReadOnlyList<string>? _defaultBaseFolders;

    /// <summary>
    /// The realm that scopes this run's credentials (<c>ATMOS_AUTH_REALM</c>, else <c>auth.realm</c>), already validated
    /// (<c>[a-z0-9_-]</c>, safe as a path segment); null when none is set (atmos's legacy layout, no realm folder).
    /// </summary>
    public string? Realm { get; init; }

    /// <summary>
    /// atmos's own config root: <c>${ATMOS_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-~/.config}}/atmos</c>. Realm folders and
    /// the clouds' folders live under it.
    /// </summary>
    public string AtmosConfigHome
    {
        get => _atmosConfigHome ?? Path.GetDirectoryName(Realm is null ? DefaultBaseFolder : Path.GetDirectoryName(DefaultBaseFolder)) ?? DefaultBaseFolder;
        init => _atmosConfigHome = value;
    }

    /// <summary>atmos's own cache root: <c>${ATMOS_XDG_CACHE_HOME:-${XDG_CACHE_HOME:-~/.cache}}/atmos</c>.</summary>
    public string AtmosCacheHome
    {
        get => _atmosCacheHome ?? Path.Join(CacheHome, "atmos");
        init => _atmosCacheHome = value;
    }

    /// <summary>atmos's own data root: <c>${ATMOS_XDG_DATA_HOME:-${XDG_DATA_HOME:-~/.local/share}}/atmos</c>.</summary>
    public string AtmosDataHome
    {
        get => _atmosDataHome ?? Path.Join(DataHome, "atmos");
        init => _atmosDataHome = value;
    }

    /// <summary>
    /// Every default base folder of this plugin's cloud, current first: <c>&lt;atmos config home&gt;/[&lt;realm&gt;/]&lt;cloud&gt;</c>,
    /// then with a realm the legacy <c>&lt;atmos config home&gt;/&lt;cloud&gt;</c>. Standalone identities' files may be in any of them.
    /// </summary>
    public IReadOnlyList<string> DefaultBaseFolders
    {
        get => _defaultBaseFolders ?? [DefaultBaseFolder];
        init => _defaultBaseFolders = value;
    }

    /// <summary>Shows a path the way the output does: the home folder as <c>~</c>.</summary>
    /// <param name="path">An absolute path.</param>
    public string Display(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var home = HomeDirectory.TrimEnd(Path.DirectorySeparatorChar);
        if (home.Length > 0 && (path == home || path.StartsWith(home + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            return "~" + path[home.Length..];
        }

        return path;
    }
}

/// <summary>
/// One planned file operation. Pure data: the plan is printed by <c>--dry-run</c>, recorded in the audit trail and
/// replayed, so it must never contain a secret.
/// </summary>
public sealed record FileStep
{
    /// <summary>A stable verb of the plugin's own, such as <c>remove-profiles</c>; the plugin dispatches on it in <see cref="IProviderPlugin.Execute"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The identities or providers this step logs out (they count towards "logged out from N identities").</summary>
    public required IReadOnlyList<string> Principals { get; init; }

    /// <summary>The absolute path shown on the step's line: a file, or a folder ending with a separator.</summary>
    public required string Target { get; init; }

    /// <summary>Every absolute path the step may change; <c>--dry-run</c> lists these.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Shown after the target in parentheses, such as <c>XDG-compliant</c>.</summary>
    public string? Note { get; init; }

    /// <summary>Session files go with every logout; long-lived ones only with <c>--keychain</c>.</summary>
    public CredentialClass Class { get; init; } = CredentialClass.Session;

    /// <summary>The plugin's own execution data (section names, folder to delete...). No secrets.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();
}

/// <summary>The outcome of one step.</summary>
/// <param name="Status">Removed, not found or failed.</param>
/// <param name="Reason">A few words shown in parentheses on the step's line, such as <c>permission denied</c>.</param>
/// <param name="Detail">The full sentence for the "Errors encountered" list: what failed and how to fix it.</param>
public sealed record StepResult(StepStatus Status, string? Reason = null, string? Detail = null)
{
    /// <summary>Something was removed.</summary>
    public static StepResult Removed() => new(StepStatus.Removed);

    /// <summary>Nothing was there to remove.</summary>
    /// <param name="detail">Optional: what was looked for.</param>
    public static StepResult NotFound(string? detail = null) => new(StepStatus.NotFound, "not found - already logged out", detail);

    /// <summary>The step failed.</summary>
    /// <param name="reason">A few words, such as <c>permission denied</c>.</param>
    /// <param name="detail">What failed and how to fix it.</param>
    public static StepResult Failed(string reason, string? detail = null) => new(StepStatus.Failed, reason, detail ?? reason);
}

/// <summary>A keyring entry handed to <see cref="IProviderPlugin.Classify"/>.</summary>
/// <param name="Name">The entry's key: the identity or provider name.</param>
/// <param name="Kind">The kind of the identity or provider of that name.</param>
/// <param name="EnvelopeType">The envelope's <c>type</c> (<c>aws</c>, <c>azure</c>, <c>gcp</c>, <c>oidc</c>), or null when the value is not an envelope.</param>
/// <param name="Fields">The envelope's top-level <c>data</c> fields as text (nested values as JSON); empty when not an envelope. Contains secrets: read, never copy out.</param>
public sealed record KeyringEntry(
    string Name,
    string Kind,
    string? EnvelopeType,
    IReadOnlyDictionary<string, string?> Fields);

/// <summary>A credential file that exists now, for <c>atmos auth status</c>.</summary>
/// <param name="Principal">The identity or provider it belongs to.</param>
/// <param name="Path">Its absolute path.</param>
/// <param name="Class">Session or long-lived.</param>
/// <param name="Description">A few words: "SSO token", "profile in credentials"...</param>
/// <param name="Expires">When the credential expires, if it says.</param>
public sealed record StoredArtifact(
    string Principal,
    string Path,
    CredentialClass Class,
    string Description,
    DateTimeOffset? Expires = null);
