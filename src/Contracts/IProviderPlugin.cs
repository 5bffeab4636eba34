namespace Atmos.Plugins.Contracts;

/// <summary>
/// A provider plugin: owns some provider and identity kinds (declared with <see cref="ProviderKindAttribute"/> and
/// <see cref="IdentityKindAttribute"/>), plans the removal of the files those kinds leave behind, executes those
/// steps, and classifies the keyring entries of its kinds. The host owns the keyring itself, the plan, the output,
/// the events and the exit code.
/// </summary>
/// <remarks>
/// Every method may be called from any thread but never concurrently on one instance. A method that throws, hangs
/// past the host's time limit or returns something invalid turns into a failed step naming the plugin; it never
/// stops other plugins' steps. Never put a secret into a <see cref="FileStep"/>, a <see cref="StepResult"/> or an
/// exception message: they are printed and audited.
/// </remarks>
public interface IProviderPlugin
{
    /// <summary>
    /// The folder under <c>&lt;config home&gt;/atmos/</c> that holds this plugin's files, such as <c>aws</c>.
    /// Lower case letters, digits and dashes.
    /// </summary>
    string Cloud { get; }

    /// <summary>
    /// Checks the kind-specific settings of a provider this plugin owns (for example a required <c>start_url</c>).
    /// Generic rules (names, <c>via</c>, <c>base_path</c>) are checked by the host.
    /// </summary>
    /// <param name="provider">The provider as configured.</param>
    /// <returns>One sentence per problem, naming the setting and the fix; empty when valid.</returns>
    IEnumerable<string> ValidateProvider(ProviderTarget provider);

    /// <summary>Checks the kind-specific settings of an identity this plugin owns.</summary>
    /// <param name="identity">The identity as configured.</param>
    /// <returns>One sentence per problem, naming the setting and the fix; empty when valid.</returns>
    IEnumerable<string> ValidateIdentity(IdentityTarget identity);

    /// <summary>
    /// Says whether a keyring entry of one of this plugin's kinds is session data (removed by every logout) or a
    /// long-lived keychain credential (removed only with <c>--keychain</c>).
    /// </summary>
    /// <param name="entry">The entry, parsed from its JSON envelope when it has one.</param>
    CredentialClass Classify(KeyringEntry entry);

    /// <summary>
    /// Whether a login with an identity or provider of <paramref name="kind"/> leaves a keyring entry of its own. An
    /// identity logout reports the chain link's missing entry as "not found" only when it does; a kind that never
    /// stores one (atmos keeps session-token credentials such as assumed roles in files only, and ambient kinds hold
    /// nothing) gets no keyring step unless an entry is there. Added in contract 1.2; the default, true, is the 1.1
    /// behaviour.
    /// </summary>
    /// <param name="kind">One of this plugin's kinds.</param>
    bool LeavesKeyringEntry(string kind) => true;

    /// <summary>
    /// Plans the file steps of a logout. Reads what exists; must not write, delete or lock anything.
    /// Batch work so that each file is rewritten at most once per run.
    /// </summary>
    /// <param name="request">What is being logged out: the providers (whole folders) and identities this plugin owns.</param>
    /// <returns>The steps, in the order they should run. Steps for things that do not exist are left out.</returns>
    IReadOnlyList<FileStep> Plan(PlanRequest request);

    /// <summary>
    /// Executes one step that <see cref="Plan"/> returned. Use the primitives in
    /// <see cref="Atmos.Plugins.Contracts.Safety"/> so every edit is locked, atomic and stays inside the base folder.
    /// </summary>
    /// <param name="step">A step this plugin planned in this run.</param>
    /// <param name="environment">The same environment the plan was made with.</param>
    /// <param name="cancellationToken">Cancelled when the user interrupts or the host's time limit passes.</param>
    /// <returns>Removed, not found (already gone: not an error) or failed with a reason.</returns>
    StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the credential files that exist now for the given targets, for <c>atmos auth status</c>. Read-only.
    /// </summary>
    /// <param name="request">The providers and identities to inspect.</param>
    IReadOnlyList<StoredArtifact> Inspect(PlanRequest request);
}
