using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Integrations;

/// <summary>
/// The GitHub installation tokens a <c>github/sts</c> integration minted (<c>pkg/auth/integrations/github/sts.go</c>):
/// <c>state.json</c> and <c>git.config</c> (both hold the tokens) in <c>&lt;atmos data home&gt;/auth/github-sts/[&lt;realm&gt;/]&lt;name&gt;/</c>,
/// the realm and name with <c>/</c>, <c>\</c>, <c>:</c> and <c>..</c> as <c>_</c>. atmos revokes the tokens at GitHub
/// before deleting the files; logout here works offline and deletes them (they expire within the hour).
/// </summary>
internal static class GitHubStsState
{
    public static string Root(PluginEnvironment environment) => Path.Join(environment.AtmosDataHome, "auth", "github-sts");

    /// <summary>The token files of the integration in the realm's folder and, with a realm, the no-realm one; its name in lower case and as written.</summary>
    public static IEnumerable<string> FilesOf(IntegrationTarget integration, PluginEnvironment environment)
    {
        var lower = integration.Name.ToLowerInvariant();
        var realms = environment.Realm is { Length: > 0 } realm ? new[] { Sanitize(realm), string.Empty } : [string.Empty];
        foreach (var folderRealm in realms)
        {
            foreach (var name in (lower == integration.Name ? [lower] : new[] { lower, integration.Name }).Select(Sanitize).Distinct(StringComparer.Ordinal).Where(n => ContainedPath.IsSafeName(n, out _)))
            {
                var folder = folderRealm.Length == 0 ? Path.Join(Root(environment), name) : Path.Join(Root(environment), folderRealm, name);
                yield return Path.Join(folder, "state.json");
                yield return Path.Join(folder, "git.config");
            }
        }
    }

    // atmos's sanitizePathSegment.
    private static string Sanitize(string segment) =>
        segment.Replace("/", "_", StringComparison.Ordinal).Replace("\\", "_", StringComparison.Ordinal).Replace(":", "_", StringComparison.Ordinal).Replace("..", "_", StringComparison.Ordinal);
}
