using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Integrations;

/// <summary>
/// The Docker CLI logins atmos's registry integrations write (<c>pkg/auth/cloud/docker/config.go</c>): an
/// <c>auths["&lt;registry host&gt;"]</c> entry in <c>${DOCKER_CONFIG:-~/.docker}/config.json</c>. Removing one keeps every
/// other byte of the file (other registries, <c>credsStore</c>, <c>credHelpers</c>, proxies), which atmos's own logout
/// rewrites and partly loses.
/// </summary>
internal static class DockerLogins
{
    /// <summary>The registry host a registry integration logs in to, or null when it lacks the settings atmos requires.</summary>
    public static string? RegistryOf(IntegrationTarget integration) => integration.Kind switch
    {
        IntegrationKinds.AwsEcr when integration.Settings.GetString("spec.registry.account_id") is { Length: > 0 } account
            && integration.Settings.GetString("spec.registry.region") is { Length: > 0 } region => $"{account}.dkr.ecr.{region}.amazonaws.com",
        IntegrationKinds.AwsEcrPublic => "public.ecr.aws",
        IntegrationKinds.AzureAcr when integration.Settings.GetString("spec.registry.name") is { Length: > 0 } name => $"{name}.azurecr.io",
        _ => null,
    };

    /// <summary>The Docker config file the host resolved for the integration (its last file: a kubeconfig would come first).</summary>
    public static string? ConfigOf(IntegrationTarget integration) => integration.Files.Count > 0 ? integration.Files[^1] : null;

    /// <summary>Whether an item of the Docker config is the login of one of the registries: a member of <c>auths</c>
    /// named after the host, with or without <c>https://</c> and a final <c>/</c> (as <c>docker login</c> may have written it).</summary>
    public static bool IsLogin(JsonItem item, IReadOnlyCollection<string> registries) =>
        item.Parent == "/auths" && item.Name is { } name && registries.Contains(Host(name), StringComparer.OrdinalIgnoreCase);

    /// <summary>Which of the registries have a login in the file.</summary>
    /// <exception cref="MalformedFileException">The file is not JSON.</exception>
    public static List<string> LoggedIn(byte[] content, string path, IReadOnlyCollection<string> registries)
    {
        var found = new List<string>();
        var root = JsonText.Parse(content, path).Root;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
        {
            found.AddRange(auths.EnumerateObject().Select(a => Host(a.Name)).Where(h => registries.Contains(h, StringComparer.OrdinalIgnoreCase)));
        }

        return found.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static string Host(string key)
    {
        var host = key.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? key["https://".Length..] : key;
        return host.TrimEnd('/');
    }
}
