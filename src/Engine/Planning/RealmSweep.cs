using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>
/// What <c>--all-realms</c> adds to <c>--all</c> (REAL-ATMOS §3): everything atmos left on this machine that the current
/// config does not name — the provider folders of every realm under the atmos config home (the no-realm layout
/// included, v1.206.0's automatic 8-hex realms too), the emulator kubeconfigs, atmos's Azure folders, and every
/// <c>atmos_…</c> keyring entry the keyring can list. Read-only: it plans steps.
/// </summary>
/// <remarks>
/// A child of the config home is the no-realm layout's cloud folder when it is named like one (<c>aws</c>, <c>gcp</c>,
/// <c>azure</c>, <c>emulator</c>), and a realm when its name is a valid realm holding one of those. atmos decides by
/// "holds an aws/ or azure/ folder" alone and so takes <c>CONFIG/aws/</c> for a realm when a provider is named
/// <c>aws</c>, deleting the whole no-realm layout as "realm aws"; here the no-realm layout is removed provider folder by
/// provider folder and <c>CONFIG/&lt;cloud&gt;/</c> itself stays.
/// </remarks>
internal sealed class RealmSweep
{
    /// <summary>The folders atmos puts under the config home or a realm folder.</summary>
    public static readonly IReadOnlyList<string> CloudFolders = ["aws", "azure", "gcp", "emulator"];

    /// <summary>The action of a step that deletes a folder or file (the host runs it).</summary>
    public const string RemoveAction = "remove-realm-entry";

    /// <summary>The argument listing folders to remove afterwards when they are left empty (one per line).</summary>
    public const string TidyArgument = "tidy";

    /// <summary>The argument naming the folder the tidy-up must stay in (the atmos config home).</summary>
    public const string TidyBaseArgument = "tidy_base";

    private const string KubeconfigSuffix = ".kubeconfig";

    private readonly RunContext _context;

    public RealmSweep(RunContext context) => _context = context;

    /// <summary>
    /// One step per provider folder, kubeconfig or Azure folder atmos left, in realm order (no realm first), skipping
    /// what <paramref name="planned"/> (the paths of the config's own steps) already covers.
    /// </summary>
    public IReadOnlyList<StepData> FileSteps(IReadOnlyCollection<string> planned)
    {
        var covered = planned.Select(p => Path.TrimEndingDirectorySeparator(p)).ToList();
        bool IsCovered(string path) => covered.Exists(c => path == c || path.StartsWith(c + Path.DirectorySeparatorChar, StringComparison.Ordinal));

        var steps = new List<StepData>();
        var config = BasePaths.AtmosConfigHome(_context.Paths);
        foreach (var (realm, cloudFolder) in CloudFoldersOf(config))
        {
            var realmFolder = realm is null ? null : Path.Join(config, realm);
            var note = realm is null ? "no realm" : $"realm {realm}";
            var tidy = realmFolder is null ? string.Empty : $"{cloudFolder}\n{realmFolder}";
            var tidyBase = config;
            var emulator = Path.GetFileName(cloudFolder) == "emulator";
            foreach (var entry in Entries(cloudFolder))
            {
                // Emulator folders hold kubeconfigs (files); the clouds' hold provider folders (a file there is not atmos's).
                var isFile = (entry.Attributes & FileAttributes.Directory) == 0 && (entry.Attributes & FileAttributes.ReparsePoint) == 0;
                if (emulator != isFile || (emulator && !entry.Name.EndsWith(KubeconfigSuffix, StringComparison.Ordinal)) || IsCovered(entry.FullName))
                {
                    continue;
                }

                var principal = emulator ? entry.Name[..^KubeconfigSuffix.Length] : entry.Name;
                steps.Add(Step(entry.FullName, !isFile, cloudFolder, principal, emulator ? $"emulator kubeconfig, {note}" : note, tidy, tidyBase));
            }
        }

        // atmos's Azure files (REAL-ATMOS §5): ~/.azure/atmos/[<realm>/]<provider>/, every child atmos's own.
        var azure = Path.Join(_context.Paths.Home, ".azure", "atmos");
        foreach (var entry in Entries(azure))
        {
            var isFolder = (entry.Attributes & FileAttributes.Directory) != 0 || (entry.Attributes & FileAttributes.ReparsePoint) != 0;
            if (!isFolder || IsCovered(entry.FullName))
            {
                continue;
            }

            var isProvider = File.Exists(Path.Join(entry.FullName, "credentials.json"));
            steps.Add(Step(entry.FullName, true, azure, entry.Name, isProvider ? "Azure, no realm" : $"Azure, realm {entry.Name}", string.Empty, azure));
        }

        return steps;
    }

    /// <summary>
    /// The keyring entries the backend lists that start with <c>atmos_</c> and no principal of the config claimed, each
    /// classified from its envelope alone (no kind is known): see <see cref="ClassOf"/>.
    /// </summary>
    public static IReadOnlyList<string> ForeignKeys(IReadOnlyList<string> listed, IReadOnlySet<string> claimed) =>
        listed.Where(k => k.StartsWith(KeyringKeys.Prefix, StringComparison.Ordinal) && !claimed.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The class of an entry whose kind is not known (another config's): from its envelope (atmos's <c>marshalCredential</c>
    /// types). AWS credentials with a session token or an expiry are session data, without either they are an IAM user's
    /// keys (long-lived); GCP, OIDC, Atmos Pro and mock credentials are tokens (session). Anything else cannot be told
    /// (null): it is kept unless <c>--keychain</c>.
    /// </summary>
    public static StepClass ClassOf(KeyringEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.EnvelopeType switch
        {
            "aws" => Has(entry, "session_token") || Has(entry, "expiration") ? StepClass.Session : StepClass.LongLived,
            "gcp" or "oidc" or "atmos-pro" or "mock" => StepClass.Session,
            _ => StepClass.Unknown,
        };
    }

    private static bool Has(KeyringEntry entry, string field) => entry.Fields.TryGetValue(field, out var value) && !string.IsNullOrEmpty(value);

    // The cloud folders of the no-realm layout, then of each realm (sorted), that exist as real folders.
    private static IEnumerable<(string? Realm, string Folder)> CloudFoldersOf(string config)
    {
        var children = Entries(config).Where(e => (e.Attributes & FileAttributes.Directory) != 0 && (e.Attributes & FileAttributes.ReparsePoint) == 0).ToList();
        foreach (var cloud in children.Where(c => CloudFolders.Contains(c.Name)))
        {
            yield return (null, cloud.FullName);
        }

        foreach (var realm in children.Where(c => !CloudFolders.Contains(c.Name) && AuthRealm.IsValid(c.Name)))
        {
            foreach (var cloud in Entries(realm.FullName).Where(e => CloudFolders.Contains(e.Name) && (e.Attributes & FileAttributes.Directory) != 0 && (e.Attributes & FileAttributes.ReparsePoint) == 0))
            {
                yield return (realm.Name, cloud.FullName);
            }
        }
    }

    // A folder's entries sorted by name, without following links; none when it is missing or cannot be read.
    private static List<FileSystemInfo> Entries(string folder)
    {
        try
        {
            var info = new DirectoryInfo(folder);
            if (!info.Exists || info.LinkTarget is not null)
            {
                return [];
            }

            var entries = info.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }).ToList();
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return entries;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static StepData Step(string path, bool isFolder, string baseFolder, string principal, string note, string tidy, string tidyBase)
    {
        var target = isFolder ? Path.TrimEndingDirectorySeparator(path) + Path.DirectorySeparatorChar : path;
        return new StepData
        {
            Index = 0,
            Type = StepType.Folder,
            Target = target,
            Principals = [principal],
            Action = RemoveAction,
            Paths = [target],
            Note = note,
            Arguments = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["base"] = baseFolder,
                ["path"] = path,
                [TidyArgument] = tidy,
                [TidyBaseArgument] = tidyBase,
            },
        };
    }
}
