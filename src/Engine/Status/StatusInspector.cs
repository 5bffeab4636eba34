using System.Globalization;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Status;

/// <summary>
/// Builds a <see cref="StatusReport"/>: the read-only twin of a logout's plan. The scope is walked exactly as the
/// planner walks it (<see cref="ScopeMembers"/>), the keyring is read once (a locked keyring is reported, never
/// unlocked with a prompt), each entry is classified by the plugin that owns its kind, and each plugin lists the files
/// of its kinds through <see cref="IProviderPlugin.Inspect"/>. Nothing is written.
/// </summary>
public static class StatusInspector
{
    // Envelope fields that carry an expiry, as the clouds' own tools name them.
    private static readonly string[] ExpiryFields = ["expiration", "expires_at", "expiresAt", "expiry", "expires_on", "expiresOn"];

    /// <summary>Inspects the scope, or explains why the request cannot be answered (exit 2).</summary>
    /// <param name="context">Config, plugins, keyring, paths, clock.</param>
    /// <param name="identity">An identity to look at, or null.</param>
    /// <param name="provider">A provider to look at, or null.</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    public static async Task<(StatusReport? Report, LogoutRejected? Rejection)> InspectAsync(RunContext context, string? identity, string? provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = context.Problems.Where(p => p.IsGlobalError).ToList();
        if (errors.Count > 0)
        {
            return (null, errors.Count == 1
                ? new LogoutRejected { Error = $"invalid configuration: {errors[0]}", Hint = "Fix it, then check with 'atmos auth validate'." }
                : new LogoutRejected { Error = $"invalid configuration ({errors.Count} problems)", ChoicesTitle = "Problems:", Choices = errors.Select(p => p.ToString()).ToList(), Hint = "Fix them, then check with 'atmos auth validate'." });
        }

        if (identity is not null && provider is not null)
        {
            return (null, new LogoutRejected { Error = "--provider cannot be combined with an identity; use either --provider NAME or an identity", Hint = "Run 'atmos auth status --help' for usage." });
        }

        var scope = identity is not null ? ScopeKind.Identity : provider is not null ? ScopeKind.Provider : ScopeKind.All;
        var (target, rejection) = TargetResolver.Resolve(context.Config, scope, identity ?? provider, "Run 'atmos auth status' without arguments to see every identity and provider.");
        if (target is null)
        {
            return (null, rejection);
        }

        var members = new ScopeMembers(context);
        var principals = members.Principals(target);
        var (entries, keyringProblem) = await members.ReadKeyringAsync(principals, cancellationToken).ConfigureAwait(false);

        var (files, problems) = Files(context, members, target, cancellationToken);
        problems.AddRange(members.Blocked(target).Select(b => $"{b.Name} not inspected: {b.Problem}"));

        // Every key form of each principal (REAL-ATMOS §2); a key shared by a provider and an identity of one name is shown once, for the first.
        var (keysOf, parsed) = ScopeMembers.FoundKeys(principals, entries);
        var classOf = members.ClassifyAll(parsed, cancellationToken);
        var stored = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        for (var i = 0; i < principals.Count; i++)
        {
            var keys = keysOf[i];
            if (keys.Count == 0 || stored.ContainsKey(principals[i].Name))
            {
                continue;
            }

            var classes = keys.Select(k => classOf[k].Class).Select(c => c.Succeeded ? StepData.From(c.Value) : StepClass.Unknown).ToList();
            var overall = classes.Contains(StepClass.LongLived) ? StepClass.LongLived : classes.Contains(StepClass.Unknown) ? StepClass.Unknown : StepClass.Session;
            var expires = parsed.Where(p => keys.Contains(p.Key)).Select(p => Expiry(p.Entry)).FirstOrDefault(e => e is not null);
            stored[principals[i].Name] = new StoredEntry(overall, expires) { Keys = keys };
        }

        var statuses = principals.Select(p => new PrincipalStatus(p.Name, p.Role, p.Kind, p.Via, stored.GetValueOrDefault(p.Name), files.GetValueOrDefault(p.Name) ?? [])).ToList();

        return (new StatusReport
        {
            Scope = target.Scope,
            Target = target.Name,
            At = context.Clock.GetUtcNow(),
            Home = context.Paths.Home,
            Realm = context.Realm.Value,
            ConfigFiles = context.Config.Files,
            KeyringBackend = context.Keyring.Backend,
            KeyringProblem = keyringProblem,
            Principals = statuses,
            Problems = problems,
        }, null);
    }

    // Each plugin lists the files of its share; a plugin that cannot be asked is a problem, not a crash.
    private static (Dictionary<string, List<StoredFile>> Files, List<string> Problems) Files(RunContext context, ScopeMembers members, ResolvedTarget target, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, List<StoredFile>>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var share in members.PluginShares(target))
        {
            if (share.Plugin is not { IsAvailable: true })
            {
                problems.Add($"files of {string.Join(", ", share.Names)} not inspected: {share.Problem ?? "no plugin"}");
                continue;
            }

            var plugin = context.Catalog.Load(share.Plugin);
            if (plugin.LoadFailure is not null)
            {
                problems.Add($"files of {string.Join(", ", share.Names)} not inspected: plugin '{plugin.Name}' failed to load: {plugin.LoadFailure}");
                continue;
            }

            var request = members.Request(share, plugin, target.Scope);
            var inspected = plugin.Call("Inspect", p => PluginAnswers.Artifacts(p.Inspect(request)), cancellationToken);
            if (!inspected.Succeeded)
            {
                problems.Add($"files of {string.Join(", ", share.Names)} not inspected: {inspected.Failure}");
                continue;
            }

            foreach (var artifact in inspected.Value!)
            {
                if (!files.TryGetValue(artifact.Principal, out var list))
                {
                    files[artifact.Principal] = list = [];
                }

                if (!list.Any(f => f.Path == artifact.Path && f.Description == artifact.Description))
                {
                    list.Add(new StoredFile(artifact.Path, StepData.From(artifact.Class), artifact.Description, artifact.Expires));
                }
            }
        }

        return (files, problems);
    }

    private static DateTimeOffset? Expiry(KeyringEntry entry)
    {
        foreach (var field in ExpiryFields)
        {
            if (entry.Fields.TryGetValue(field, out var text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at.ToUniversalTime();
            }
        }

        return null;
    }
}
