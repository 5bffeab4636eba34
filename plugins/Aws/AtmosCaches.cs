using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Aws;

/// <summary>
/// The other files atmos keeps under its cache home for AWS principals (REAL-ATMOS §4), each removed with its owner:
/// a provider's auto-provisioned identities and an IAM user's browser-login refresh token.
/// </summary>
internal static class AtmosCaches
{
    /// <summary><c>&lt;atmos cache home&gt;/auth</c>: <c>&lt;provider&gt;/provisioned-identities.yaml</c> (<c>pkg/auth/provisioning/writer.go</c>).</summary>
    public const string ProvisioningFolder = "auth";

    public const string ProvisionedFileName = "provisioned-identities.yaml";

    /// <summary><c>&lt;atmos cache home&gt;/aws-webflow</c>: <c>&lt;identity&gt;-&lt;realm&gt;/refresh.json</c> (<c>pkg/auth/identities/aws/webflow_cache.go</c>).</summary>
    public const string WebflowFolder = "aws-webflow";

    public const string WebflowFileName = "refresh.json";

    public static string ProvisioningRoot(PluginEnvironment environment) => Path.Join(environment.AtmosCacheHome, ProvisioningFolder);

    public static string WebflowRoot(PluginEnvironment environment) => Path.Join(environment.AtmosCacheHome, WebflowFolder);

    /// <summary>
    /// Where atmos may have written a provider's provisioned identities: its name (lower case, then as written) trimmed,
    /// with path separators as <c>_</c> (atmos's <c>sanitizeProviderName</c>).
    /// </summary>
    public static IEnumerable<string> ProvisionedFiles(ProviderTarget provider, PluginEnvironment environment)
    {
        var lower = provider.Name.ToLowerInvariant();
        foreach (var name in (lower == provider.Name ? [lower] : new[] { lower, provider.Name }).Select(Sanitize).Distinct(StringComparer.Ordinal))
        {
            if (ContainedPath.IsSafeName(name, out _))
            {
                yield return Path.Join(ProvisioningRoot(environment), name, ProvisionedFileName);
            }
        }
    }

    /// <summary>
    /// Where atmos may have written an IAM user's webflow refresh token: <c>&lt;identity&gt;-&lt;realm&gt;</c> (with no
    /// realm atmos writes <c>&lt;identity&gt;-</c>), the no-realm one when a realm is set, and <c>&lt;identity&gt;</c>; the
    /// name in lower case and as written. An identity name with <c>/</c> is a nested folder, as atmos joins it; a name
    /// with an unsafe segment (<c>..</c>, a leading <c>.</c>) has none.
    /// </summary>
    public static IEnumerable<string> WebflowFiles(IdentityTarget identity, PluginEnvironment environment)
    {
        var lower = identity.Name.ToLowerInvariant();
        var suffixes = new List<string> { "-" + (environment.Realm ?? string.Empty), "-", string.Empty };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in lower == identity.Name ? [lower] : new[] { lower, identity.Name })
        {
            foreach (var suffix in suffixes)
            {
                var segments = (name + suffix).Split('/');
                if (segments.All(s => ContainedPath.IsSafeName(s, out _)) && seen.Add(name + suffix))
                {
                    yield return Path.Join([WebflowRoot(environment), .. segments, WebflowFileName]);
                }
            }
        }
    }

    private static string Sanitize(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length == 0 ? "_" : trimmed.Replace('/', '_').Replace('\\', '_');
    }
}
