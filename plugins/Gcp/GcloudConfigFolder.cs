using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Gcp;

/// <summary>The gcloud account an identity logs out of.</summary>
/// <param name="Identity">The identity's name.</param>
/// <param name="Account">The account (an e-mail address), as gcloud keys it.</param>
/// <param name="Borrowed">
/// True for a <c>gcp/project</c> identity, which works with the provider's account rather than owning one: the
/// account's credentials then go only when no other configuration still uses them.
/// </param>
internal sealed record IdentityAccount(string Identity, string Account, bool Borrowed);

/// <summary>A configuration whose <c>account</c> is cleared although the account's credentials stay (another configuration uses them).</summary>
/// <param name="Configuration">The configuration file name, <c>config_&lt;identity&gt;</c>.</param>
/// <param name="Account">The account it must still name to be cleared.</param>
internal sealed record ConfigurationAccount(string Configuration, string Account)
{
    public static string Format(IEnumerable<ConfigurationAccount> items) => string.Join('\n', items.Select(i => $"{i.Configuration} {i.Account}"));

    public static List<ConfigurationAccount> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).Select(p => new ConfigurationAccount(p[0], p[1])).ToList();
}

/// <summary>
/// A provider's isolated gcloud config folder (<c>CLOUDSDK_CONFIG</c>), shared by its identities: <c>credentials.db</c>,
/// <c>access_tokens.db</c>, <c>legacy_credentials/&lt;account&gt;/</c> and <c>configurations/config_&lt;name&gt;</c>
/// (INI, <c>[core] account = ...</c>).
/// </summary>
internal static class GcloudConfigFolder
{
    public const string FolderName = "gcloud";
    public const string ConfigurationsFolder = "configurations";
    public const string ConfigurationPrefix = "config_";
    public const string LegacyFolder = "legacy_credentials";
    public const string CoreSection = "core";
    public const string AccountKey = "account";

    /// <summary>What planning found in one folder.</summary>
    /// <param name="Identities">The identities with something to remove (all of them when a file cannot be read, so the step reports it).</param>
    /// <param name="Paths">What the step will change.</param>
    /// <param name="Accounts">The accounts whose credentials go.</param>
    /// <param name="OwnConfigurations">Configurations cleared although their account stays.</param>
    public sealed record Findings(List<string> Identities, List<string> Paths, List<string> Accounts, List<ConfigurationAccount> OwnConfigurations);

    public static string ConfigurationOf(string identity) => ConfigurationPrefix + identity;

    /// <summary>The <c>[core] account</c> of a configuration file, or null when it has none or does not exist.</summary>
    /// <exception cref="MalformedFileException">The file is not INI.</exception>
    public static string? AccountIn(string configurationPath) => SafeFile.Probe(configurationPath).Kind switch
    {
        EntryKind.Missing => null,
        EntryKind.Inaccessible => throw new UnauthorizedAccessException($"{configurationPath}: permission denied"), // cannot check
        _ => IniDocument.Parse(SafeFile.ReadAllBytes(configurationPath), configurationPath).GetValue(CoreSection, AccountKey),
    };

    /// <summary>The legacy credential folders of an account that exist (gcloud names them after the account).</summary>
    public static List<string> LegacyFoldersOf(string gcloudFolder, string account)
    {
        var legacy = Path.Join(gcloudFolder, LegacyFolder);
        return Directory.Exists(legacy)
            ? Directory.EnumerateFileSystemEntries(legacy).Where(p => SameAccount(Path.GetFileName(p), account)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public static bool SameAccount(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Which accounts go, which configurations are cleared, and which paths that changes. Reads only.</summary>
    public static Findings Survey(string gcloudFolder, IReadOnlyList<IdentityAccount> identities, TimeSpan busyTimeout)
    {
        var all = identities.Select(i => i.Identity).ToList();
        var paths = new List<string>();
        var unreadable = false;
        var configurations = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var path in ConfigurationFiles(gcloudFolder))
        {
            try
            {
                configurations[path] = AccountIn(path);
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                // Planned anyway: executing the step reports the problem and changes nothing.
                paths.Add(path);
                unreadable = true;
            }
        }

        var (accounts, own) = Decide(gcloudFolder, identities, configurations);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var database in accounts.Count > 0 ? GcloudDatabase.All : [])
        {
            var path = Path.Join(gcloudFolder, database.FileName);
            try
            {
                var rows = GcloudDatabases.Read(path, database, busyTimeout);
                var owners = identities.Where(i => accounts.Contains(i.Account, StringComparer.OrdinalIgnoreCase) && rows.Any(r => SameAccount(r.Account, i.Account))).ToList();
                if (owners.Count > 0)
                {
                    paths.Add(path);
                    found.UnionWith(owners.Select(o => o.Identity));
                }
            }
            catch (Exception ex) when (ex is GcloudDatabaseException or IOException or UnauthorizedAccessException)
            {
                paths.Add(path);
                unreadable = true;
            }
        }

        foreach (var identity in identities.Where(i => accounts.Contains(i.Account, StringComparer.OrdinalIgnoreCase)))
        {
            var legacy = LegacyFoldersOf(gcloudFolder, identity.Account);
            paths.AddRange(legacy.Select(FolderRemovalStep.AsFolder).Except(paths));
            var pointing = configurations.Where(c => SameAccount(c.Value, identity.Account)).Select(c => c.Key).ToList();
            paths.AddRange(pointing.Except(paths));
            if (legacy.Count > 0 || pointing.Count > 0)
            {
                found.Add(identity.Identity);
            }
        }

        foreach (var item in own)
        {
            var path = Path.Join(gcloudFolder, ConfigurationsFolder, item.Configuration);
            if (configurations.TryGetValue(path, out var account) && SameAccount(account, item.Account))
            {
                if (!paths.Contains(path))
                {
                    paths.Add(path);
                }

                found.UnionWith(identities.Where(i => ConfigurationOf(i.Identity) == item.Configuration).Select(i => i.Identity));
            }
        }

        var principals = unreadable ? all : all.Where(found.Contains).ToList();
        return principals.Count == 0 || paths.Count == 0
            ? new Findings([], [], [], [])
            : new Findings(principals, paths, accounts, own);
    }

    /// <summary>
    /// Logs the accounts out: every configuration is read first (a malformed one fails the step before anything
    /// changes), then the accounts' rows go from both databases, then their legacy folders, then <c>account</c> is
    /// removed from the configurations that name them.
    /// </summary>
    public static StepResult Execute(string baseFolder, string gcloudFolder, IReadOnlyCollection<string> accounts, IReadOnlyCollection<ConfigurationAccount> own, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        // A configuration is cleared when it names an account that goes, or is the own configuration of a kept one.
        bool Names(string path, string? account) =>
            accounts.Any(a => SameAccount(a, account)) || own.Any(o => Path.GetFileName(path) == o.Configuration && SameAccount(o.Account, account));

        var done = new List<string>();
        var changed = false;
        var current = gcloudFolder;
        try
        {
            ContainedPath.Resolve(baseFolder, Path.Join(gcloudFolder, LegacyFolder, "-"));
            ContainedPath.Resolve(baseFolder, Path.Join(gcloudFolder, ConfigurationsFolder, "-"));
            var clear = new List<string>();
            foreach (var path in ConfigurationFiles(gcloudFolder))
            {
                current = path;
                if (Names(path, AccountIn(path)))
                {
                    clear.Add(path);
                }
            }

            current = gcloudFolder;
            if (accounts.Count > 0)
            {
                var rows = GcloudDatabases.Delete(baseFolder, gcloudFolder, accounts, environment.LockTimeout, file => done.Add($"{file} was already updated"));
                changed |= rows.Values.Sum() > 0;
            }

            foreach (var legacy in accounts.SelectMany(a => LegacyFoldersOf(gcloudFolder, a)).Distinct(StringComparer.Ordinal))
            {
                current = legacy;
                changed |= ContainedPath.Delete(baseFolder, legacy);
                done.Add($"{Path.GetFileName(legacy)}'s legacy credentials were removed");
            }

            foreach (var path in clear)
            {
                current = path;
                var outcome = AtomicFile.Edit(
                    baseFolder,
                    path,
                    bytes =>
                    {
                        // Re-read under the lock: clear only while it still names an account being logged out.
                        var document = IniDocument.Parse(bytes, path);
                        return Names(path, document.GetValue(CoreSection, AccountKey)) ? document.RemoveKey(CoreSection, AccountKey, out _) : FileEdit.Unchanged;
                    },
                    environment.LockTimeout,
                    cancellationToken);
                changed |= outcome == EditOutcome.Replaced;
            }
        }
        catch (GcloudDatabaseException ex)
        {
            return GcloudDatabases.Failure(ex, environment.LockTimeout, environment, Progress(done));
        }
        catch (Exception ex)
        {
            var failed = StepResults.FromException(ex, current, environment);
            return done.Count == 0 ? failed : failed with { Detail = $"{failed.Detail} ({Progress(done)})" };
        }

        return changed
            ? StepResult.Removed()
            : StepResult.NotFound($"no credentials of {string.Join(", ", accounts.Concat(own.Select(o => o.Account)).Distinct(StringComparer.OrdinalIgnoreCase))} in {environment.Display(gcloudFolder)}");
    }

    // Which accounts go. A service account is its identity's own; a project identity's account goes only when no
    // configuration other than the logged-out identities' own still names it, else only its own configuration is cleared.
    private static (List<string> Accounts, List<ConfigurationAccount> Own) Decide(string gcloudFolder, IReadOnlyList<IdentityAccount> identities, Dictionary<string, string?> configurations)
    {
        var ownFiles = identities.Select(i => Path.Join(gcloudFolder, ConfigurationsFolder, ConfigurationOf(i.Identity))).ToHashSet(StringComparer.Ordinal);
        var accounts = new List<string>();
        var kept = new List<IdentityAccount>();
        foreach (var identity in identities)
        {
            var usedElsewhere = configurations.Any(c => !ownFiles.Contains(c.Key) && SameAccount(c.Value, identity.Account));
            if (identity.Borrowed && usedElsewhere)
            {
                kept.Add(identity);
            }
            else if (!accounts.Contains(identity.Account, StringComparer.OrdinalIgnoreCase))
            {
                accounts.Add(identity.Account);
            }
        }

        var own = kept.Where(k => !accounts.Contains(k.Account, StringComparer.OrdinalIgnoreCase))
            .Select(k => new ConfigurationAccount(ConfigurationOf(k.Identity), k.Account))
            .ToList();
        return (accounts, own);
    }

    private static List<string> ConfigurationFiles(string gcloudFolder)
    {
        var folder = Path.Join(gcloudFolder, ConfigurationsFolder);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, ConfigurationPrefix + "*").Where(p => !p.EndsWith(".lock", StringComparison.Ordinal) && !p.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private static string Progress(List<string> done) => done.Count == 0 ? "nothing was changed" : string.Join("; ", done);
}
