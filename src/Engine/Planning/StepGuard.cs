using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>
/// Where a plugin may make changes in a run. <paramref name="Own"/> are its roots: the base folders of the providers it
/// was asked about, and its <c>&lt;cloud&gt;</c> folders under atmos's config, cache and data homes.
/// <paramref name="Granted"/> are the folders its manifest entry grants it, each with the grant (shown by
/// <c>atmos plugins list</c>).
/// </summary>
/// <param name="Own">The plugin's own roots.</param>
/// <param name="Granted">Folders granted by the manifest, resolved for this run.</param>
public sealed record PluginRoots(IReadOnlyList<string> Own, IReadOnlyList<GrantedFolder> Granted);

/// <summary>A folder a plugin's manifest entry grants it, resolved for this run, with the grant.</summary>
/// <param name="Folder">The folder.</param>
/// <param name="Grant">The manifest's grant.</param>
/// <remarks>A record, not a tuple: LINQ over a value tuple is JIT-compiled at every run (docs/performance.md, item 25).</remarks>
public sealed record GrantedFolder(string Folder, PluginGrant Grant);

/// <summary>
/// Checks a plugin's step before it becomes part of a plan: well-formed, and touching only paths a logout may touch.
/// Plugins are third-party code; this is the host's own line of defence for SPEC §4 ("deletes stay inside the
/// resolved base folder"; "never touched: ~/.aws/credentials, ~/.aws/config, ~/.azure, ~/.config/gcloud, atmos.yaml").
/// What a step declares is what the output shows, so every path it may change, in <c>Paths</c> or in an argument, must
/// lie inside the plugin's roots (or a folder its manifest grants it), and a path argument must be shown on the step.
/// </summary>
public static class StepGuard
{
    /// <summary>The longest path a step may name (Linux's PATH_MAX).</summary>
    public const int MaxPathLength = 4096;

    /// <summary>
    /// The roots of <paramref name="plugin"/> for <paramref name="request"/>: every folder it may change in this run. The
    /// one place they are computed (planning, <c>atmos plugins check</c>).
    /// </summary>
    /// <param name="request">What the plugin is asked to plan: its providers' base folders and its environment.</param>
    /// <param name="plugin">The plugin, for its manifest grants.</param>
    /// <param name="paths">Home and environment, to resolve the grants.</param>
    public static PluginRoots Roots(PlanRequest request, PluginDescriptor plugin, PathContext paths)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(paths);
        var environment = request.Environment;
        var cloud = Path.GetFileName(Path.TrimEndingDirectorySeparator(environment.DefaultBaseFolder));

        // Distinct: providers mostly share one base folder, and every step is checked against every root (a list per
        // provider made --all quadratic).
        // Every layout's base folder of its providers (contract 1.2: ProviderTarget.Folders) and every default base folder.
        var own = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void AddRoot(string folder)
        {
            var root = Path.TrimEndingDirectorySeparator(folder);
            if (seen.Add(root))
            {
                own.Add(root);
            }
        }

        // A plain loop: with a thousand providers, the LINQ chain this replaces was a measurable part of planning.
        foreach (var provider in request.Providers)
        {
            foreach (var folder in provider.Folders)
            {
                AddRoot(folder.BaseFolder);
            }
        }

        foreach (var identity in request.Identities)
        {
            foreach (var folder in identity.Provider?.Folders ?? [])
            {
                AddRoot(folder.BaseFolder);
            }
        }

        foreach (var folder in environment.DefaultBaseFolders)
        {
            AddRoot(folder);
        }

        AddRoot(Path.Join(environment.AtmosCacheHome, cloud));
        AddRoot(Path.Join(environment.AtmosDataHome, cloud));
        var granted = new List<GrantedFolder>();
        foreach (var grant in plugin.Entry.Grants ?? [])
        {
            if (grant.Resolve(paths) is { } folder)
            {
                granted.Add(new GrantedFolder(folder, grant));
            }
        }

        // The files atmos writes for the integrations the plugin is asked about (a kubeconfig, the Docker config), as the
        // host resolved them from atmos.yaml and the environment: granted like a manifest's grants, so what logout never
        // changes stays out of reach even when atmos.yaml points there.
        foreach (var integration in request.Integrations)
        {
            foreach (var file in integration.Files)
            {
                granted.Add(new GrantedFolder(Path.TrimEndingDirectorySeparator(file), new PluginGrant(file, $"written by atmos for integration '{integration.Name}' ({integration.Kind})")));
            }
        }

        return new PluginRoots(own, granted);
    }

    /// <summary>Why the step is refused, or null when it is acceptable.</summary>
    /// <param name="step">The plugin's step (may be null: plugins can return garbage).</param>
    /// <param name="roots">Where the plugin may make changes (<see cref="Roots"/>).</param>
    /// <param name="context">Home and config locations.</param>
    public static string? Problem(FileStep? step, PluginRoots roots, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(context);
        if (step is null)
        {
            return "a null step";
        }

        if (string.IsNullOrWhiteSpace(step.Action))
        {
            return "a step without an action";
        }

        if (step.Principals is null || step.Principals.Count == 0 || step.Principals.Any(string.IsNullOrWhiteSpace))
        {
            return $"step '{step.Action}' names no identity or provider";
        }

        if (step.Paths is null || step.Arguments is null || step.Arguments.Values.Any(v => v is null))
        {
            return $"step '{step.Action}' has null paths or arguments";
        }

        var home = Path.TrimEndingDirectorySeparator(context.Paths.Home);
        var protectedPaths = Protected(home, context);
        var shown = new List<string>(step.Paths.Count + 1);
        foreach (var path in step.Paths.Prepend(step.Target))
        {
            if (PathProblem(step.Action, path, roots, home, protectedPaths) is { } problem)
            {
                return problem;
            }

            shown.Add(Path.TrimEndingDirectorySeparator(path));
        }

        // An argument naming a path is a path the step may change: checked the same way, and it must be shown on the
        // step (its target or one of its paths, or inside one), or be one of the roots, given for containment (a base
        // folder ContainedPath keeps deletes inside).
        foreach (var (name, value) in step.Arguments)
        {
            foreach (var line in value.Split('\n'))
            {
                if (line.Length == 0 || !(Path.IsPathFullyQualified(line) || line.StartsWith('~')))
                {
                    continue;
                }

                if (PathProblem(step.Action, line, roots, home, protectedPaths) is { } problem)
                {
                    return $"{problem} (argument '{name}')";
                }

                var full = Path.TrimEndingDirectorySeparator(line);
                var isRoot = roots.Own.Contains(full, StringComparer.Ordinal) || roots.Granted.Any(g => g.Folder == full);
                if (!isRoot && !shown.Any(s => s == full || IsInside(full, s)))
                {
                    return $"step '{step.Action}' has argument '{name}' naming {full}, which is neither its target nor among its paths; list it in Paths so the output shows what the step changes";
                }
            }
        }

        return null;
    }

    private static string? PathProblem(string action, string path, PluginRoots roots, string home, (List<string> Exact, string[] Trees) protectedPaths)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            return $"step '{action}' has a path that is not absolute: '{path}'";
        }

        if (path.Length > MaxPathLength)
        {
            return $"step '{action}' has a path longer than {MaxPathLength:N0} characters";
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (full != Path.TrimEndingDirectorySeparator(path) && full + Path.DirectorySeparatorChar != path)
        {
            return $"step '{action}' has a path with '.' or '..' segments: '{path}'";
        }

        if (IsInside(home, full) || full == home)
        {
            return $"step '{action}' would touch the home folder itself or a folder above it ({full})";
        }

        if (roots.Own.Any(r => full == r || IsInside(full, r)))
        {
            return null;
        }

        // Inside a granted folder: never the files logout promises not to touch, nor a whole protected folder; a grant
        // naming a folder inside one (~/.azure/atmos) is the manifest saying so explicitly.
        if (roots.Granted.Any(g => full == g.Folder || IsInside(full, g.Folder)))
        {
            var (exact, trees) = protectedPaths;
            return exact.Contains(full) || trees.Any(t => full == t || IsInside(t, full))
                ? $"step '{action}' would touch {full}, which logout never changes"
                : null;
        }

        var (protectedExact, protectedTrees) = protectedPaths;
        if (protectedExact.Contains(full) || protectedTrees.Any(t => full == t || IsInside(full, t) || IsInside(t, full)))
        {
            return $"step '{action}' would touch {full}, which logout never changes";
        }

        return $"step '{action}' would touch {full}, outside the plugin's folders (its providers' base folders and its folders under atmos's config, cache and data homes); a plugin that must change it needs a grant in its plugins.json entry";
    }

    // What logout never changes (SPEC §2), outside a plugin's own roots.
    private static (List<string> Exact, string[] Trees) Protected(string home, RunContext context)
    {
        var exact = new List<string> { Path.Join(home, ".aws", "credentials"), Path.Join(home, ".aws", "config") };
        if (context.Config.SourcePath is { } configFile)
        {
            exact.Add(configFile);
        }

        return (exact, [Path.Join(home, ".azure"), Path.Join(home, ".config", "gcloud"), Path.Join(home, ".ssh")]);
    }

    // No string built per check: a thousand paths against a few roots each were ten thousand concatenations.
    private static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(folder.AsSpan());
        return path.Length > root.Length && path[root.Length] == Path.DirectorySeparatorChar && path.AsSpan().StartsWith(root, StringComparison.Ordinal);
    }
}
