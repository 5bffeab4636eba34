using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Azure;

/// <summary>
/// A provider's isolated Azure CLI config folder (<c>AZURE_CONFIG_DIR</c>): logging subscriptions out of its
/// <c>azureProfile.json</c> and, for accounts no remaining subscription uses, out of its MSAL token cache.
/// </summary>
internal static class AzureCliConfigFolder
{
    /// <summary>What planning found in one folder.</summary>
    /// <param name="Identities">The identities with something to remove (all of them when a file cannot be read, so the step reports it).</param>
    /// <param name="Paths">The files the step will change.</param>
    public sealed record Findings(List<string> Identities, List<string> Paths);

    /// <summary>
    /// Removes the subscriptions from the profile and, for each signed-in user or service principal that no remaining
    /// subscription uses, its entries from the MSAL cache.
    /// </summary>
    /// <returns>How many subscriptions and how many MSAL entries were removed.</returns>
    public static (int Subscriptions, int CacheEntries) Logout(JsonNode profile, JsonNode? cache, IReadOnlyCollection<SubscriptionRef> refs, string profilePath, string cachePath)
    {
        var removed = AzureProfile.RemoveSubscriptions(profile, refs, profilePath);
        if (removed.Count == 0 || cache is null)
        {
            return (removed.Count, 0);
        }

        var remainingUsers = AzureProfile.Subscriptions(profile, profilePath).Select(AzureProfile.UserOf).OfType<SubscriptionUser>().ToList();
        var gone = removed.Select(AzureProfile.UserOf).OfType<SubscriptionUser>()
            .Where(user => !remainingUsers.Any(r => r.SameName(user.Name)))
            .DistinctBy(user => (user.Name.ToUpperInvariant(), user.Type))
            .ToList();

        // An account can be reachable under another user name too (a guest's home account); never remove one still in use.
        var stillUsed = remainingUsers.Where(u => !u.IsServicePrincipal)
            .SelectMany(u => MsalTokenCache.AccountsOf(cache, u.Name, cachePath))
            .ToHashSet();
        var entries = 0;
        foreach (var user in gone)
        {
            if (user.IsServicePrincipal)
            {
                entries += MsalTokenCache.RemoveServicePrincipalTokens(cache, user.Name, cachePath);
            }
            else
            {
                var accounts = MsalTokenCache.AccountsOf(cache, user.Name, cachePath);
                accounts.ExceptWith(stillUsed);
                entries += MsalTokenCache.RemoveAccounts(cache, accounts, cachePath);
            }
        }

        return (removed.Count, entries);
    }

    /// <summary>Which identities have a subscription in the folder, and which files logging them out would change. Reads only.</summary>
    public static Findings Survey(string folder, IReadOnlyList<(string Identity, SubscriptionRef Subscription)> identities)
    {
        var profilePath = Path.Join(folder, AzureProfile.FileName);
        var cachePath = Path.Join(folder, MsalTokenCache.FileName);
        var all = identities.Select(i => i.Identity).ToList();
        var profileEntry = SafeFile.Probe(profilePath);
        if (profileEntry.Kind == EntryKind.Missing)
        {
            return new Findings([], []);
        }

        JsonNode profile;
        List<JsonObject> subscriptions;
        try
        {
            if (profileEntry.Kind == EntryKind.Inaccessible)
            {
                throw new UnauthorizedAccessException($"{profilePath}: permission denied"); // cannot check: never "nothing stored"
            }

            profile = JsonFile.Parse(SafeFile.ReadAllBytes(profilePath), profilePath);
            subscriptions = AzureProfile.Subscriptions(profile, profilePath);
        }
        catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
        {
            // Planned anyway: executing the step reports the problem and leaves the files untouched.
            return new Findings(all, SafeFile.Probe(cachePath).Exists ? [profilePath, cachePath] : [profilePath]);
        }

        var found = identities.Where(i => subscriptions.Any(i.Subscription.Matches)).ToList();
        if (found.Count == 0)
        {
            return new Findings([], []);
        }

        var paths = new List<string> { profilePath };
        if (SafeFile.Probe(cachePath).Exists)
        {
            try
            {
                var cache = JsonFile.Parse(SafeFile.ReadAllBytes(cachePath), cachePath);
                if (Logout(profile, cache, found.Select(i => i.Subscription).ToList(), profilePath, cachePath).CacheEntries > 0)
                {
                    paths.Add(cachePath);
                }
            }
            catch (Exception ex) when (ex is MalformedFileException or IOException or UnauthorizedAccessException)
            {
                paths.Add(cachePath);
            }
        }

        return new Findings(found.Select(i => i.Identity).ToList(), paths);
    }

    /// <summary>
    /// Logs the subscriptions out under the files' locks (and the Azure CLI's own MSAL cache lock): both files are read
    /// and decided before either is written, so a malformed one leaves both untouched.
    /// </summary>
    public static StepResult Execute(string baseFolder, string folder, IReadOnlyCollection<SubscriptionRef> refs, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        var profilePath = Path.Join(folder, AzureProfile.FileName);
        var cachePath = Path.Join(folder, MsalTokenCache.FileName);
        var removed = (Subscriptions: 0, CacheEntries: 0);
        try
        {
            ContainedPath.Resolve(baseFolder, profilePath);
            if (!string.Equals(Path.TrimEndingDirectorySeparator(folder), Path.TrimEndingDirectorySeparator(baseFolder), StringComparison.Ordinal) && new DirectoryInfo(folder).LinkTarget is not null)
            {
                throw new UnsafePathException(folder, "is a symbolic link; refusing to edit files through it (log out the provider to unlink it)");
            }

            // The folder walked from the base without following links; the Azure CLI's lock taken through it.
            using var config = FolderHandle.OpenBelow(baseFolder, folder);
            if (config is null)
            {
                return StepResult.NotFound($"{environment.Display(folder)} does not exist");
            }

            using var azureCliLock = config.GetEntry(MsalTokenCache.FileName).Exists ? FileLock.Acquire(config, MsalTokenCache.LockFileName, environment.LockTimeout, cancellationToken) : null;
            AtomicFile.EditAll(
                baseFolder,
                [profilePath, cachePath],
                contents =>
                {
                    if (contents[0] is not { } profileBytes)
                    {
                        return [FileEdit.Unchanged, FileEdit.Unchanged];
                    }

                    var profile = JsonFile.Parse(profileBytes, profilePath);
                    var cache = contents[1] is { } cacheBytes ? JsonFile.Parse(cacheBytes, cachePath) : null;
                    removed = Logout(profile, cache, refs, profilePath, cachePath);
                    return
                    [
                        removed.Subscriptions > 0 ? FileEdit.Replace(JsonFile.Serialize(profile, profileBytes)) : FileEdit.Unchanged,
                        removed.CacheEntries > 0 ? FileEdit.Replace(JsonFile.Serialize(cache!, contents[1]!)) : FileEdit.Unchanged,
                    ];
                },
                environment.LockTimeout,
                cancellationToken);
        }
        catch (Exception ex)
        {
            var failedPath = ex is MalformedFileException malformed && malformed.FilePath.Length > 0 ? malformed.FilePath : profilePath;
            return StepResults.FromException(ex, failedPath, environment);
        }

        return removed.Subscriptions > 0
            ? StepResult.Removed()
            : StepResult.NotFound($"no subscription {string.Join(", ", refs.Select(r => r.Id))} in {environment.Display(profilePath)}");
    }
}
