using System.Text.Json.Nodes;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Acme.AtmosPlugin;

/// <summary><c>roles.json</c> in a provider folder: <c>{ "roles": { "&lt;identity&gt;": { ... } } }</c>.</summary>
internal static class RoleSessions
{
    public const string FileName = "roles.json";

    public static string PathIn(string providerFolder) => Path.Join(providerFolder, FileName);

    /// <summary>Which of <paramref name="identities"/> have an entry. Read-only, as planning must be.</summary>
    /// <remarks>A file that cannot be read or parsed counts as holding all of them: the step is planned and its
    /// execution reports the problem (and leaves the file alone), instead of the logout silently skipping it.</remarks>
    public static IReadOnlySet<string> Find(string providerFolder, IReadOnlySet<string> identities)
    {
        var path = PathIn(providerFolder);
        if (!File.Exists(path) || identities.Count == 0)
        {
            return new HashSet<string>();
        }

        try
        {
            var roles = (JsonFile.Parse(File.ReadAllBytes(path), path) as JsonObject)?["roles"] as JsonObject;
            return identities.Where(name => roles?.ContainsKey(name) == true).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return identities.ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Removes the identities' entries under the file's lock, atomically; deletes the file when no role is left.
    /// Every other field of the file survives.
    /// </summary>
    public static StepResult Remove(string baseFolder, string path, IReadOnlySet<string> identities, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        try
        {
            ContainedPath.Resolve(baseFolder, path);
            var removed = 0;
            var outcome = JsonFile.Edit(
                path,
                document =>
                {
                    if ((document as JsonObject)?["roles"] is not JsonObject roles)
                    {
                        return FileEditKind.Unchanged;
                    }

                    removed = identities.Count(roles.Remove);
                    return removed == 0 ? FileEditKind.Unchanged : roles.Count == 0 ? FileEditKind.Delete : FileEditKind.Replace;
                },
                environment.LockTimeout,
                cancellationToken);
            return outcome is EditOutcome.Replaced or EditOutcome.Deleted
                ? StepResult.Removed()
                : StepResult.NotFound($"no role session of {string.Join(", ", identities.Order(StringComparer.Ordinal))} in {environment.Display(path)}");
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, path, environment);
        }
    }
}
