using System.Security.Cryptography;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Planning;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>How one conformance check ended.</summary>
public enum CheckStatus
{
    /// <summary>The plugin does what the contract asks.</summary>
    Passed,

    /// <summary>It does not: the detail says what it did.</summary>
    Failed,

    /// <summary>Nothing to check it with (no step planned in the home given).</summary>
    Skipped,
}

/// <summary>One conformance check: what was checked and how it ended.</summary>
/// <param name="Name">What the plugin must do, such as "Plan changes nothing".</param>
/// <param name="Status">Passed, failed or skipped.</param>
/// <param name="Detail">What was seen: counts when it passed, the offence when it failed, why when skipped.</param>
public sealed record CheckResult(string Name, CheckStatus Status, string Detail);

/// <summary>What <c>atmos plugins check</c> is asked to check.</summary>
/// <param name="AssemblyPath">The plugin's main assembly.</param>
/// <param name="Name">The plugin's name as its manifest entry would give it; null: the prefix of its first kind.</param>
/// <param name="ConfigPath">An atmos.yaml whose providers and identities of the plugin's kinds are used; null: one of each kind, with no settings.</param>
/// <param name="SeedHome">A folder copied into the sandbox home first (the files the plugin should find); null: an empty home.</param>
/// <param name="Grants">Grants, as a manifest entry would give them.</param>
public sealed record PluginCheckRequest(string AssemblyPath, string? Name = null, string? ConfigPath = null, string? SeedHome = null, IReadOnlyList<PluginGrant>? Grants = null);

/// <summary>
/// The conformance checks this repository runs on its own plugins, for a plugin author to run on theirs
/// (<c>atmos plugins check &lt;dll&gt;</c>): the plugin is loaded in a process of its own, as atmos runs it, against a
/// sandbox home (a copy of the one given, never the real one), and every member of the contract is called the way a
/// logout calls it. Checked: the metadata; the load and the whole dependency closure; <c>Cloud</c> and the kinds' names;
/// each answer read and bounded as atmos reads it; that validation, classification, planning and inspection change
/// nothing; that every step passes atmos's step guard (its roots, its paths and path arguments); that executing a step
/// changes only what the step declares; that a second execution is not a failure and nothing is left to plan after; and
/// that no secret handed to the plugin comes back in anything it returns or logs.
/// </summary>
public static class PluginCheck
{
    private const string SecretMarker = "atmos-check-secret-";

    /// <summary>Runs every check; never throws for anything the plugin does.</summary>
    /// <param name="request">The plugin and the home and config to check it with.</param>
    /// <param name="installFolder">atmos's folder (for <c>atmos-plugin-host</c>).</param>
    /// <param name="timeout">The limit for each call, as <c>ATMOS_PLUGIN_TIMEOUT</c> gives it.</param>
    public static IReadOnlyList<CheckResult> Run(PluginCheckRequest request, string installFolder, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = new List<CheckResult>();
        var assembly = Path.GetFullPath(request.AssemblyPath);
        PluginMetadata metadata;
        try
        {
            metadata = PluginMetadata.Read(assembly);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            results.Add(new CheckResult("is a readable .NET assembly", CheckStatus.Failed, ex.Message));
            return results;
        }

        var kinds = metadata.ProviderKinds.Concat(metadata.IdentityKinds).ToList();
        var name = request.Name ?? kinds.FirstOrDefault()?.Split('/')[0] ?? metadata.AssemblyName;
        var metadataProblem = metadata switch
        {
            { ContractVersion: null } => "it does not reference Atmos.Plugins.Contracts",
            { EntryType: null } => "it has no [assembly: AtmosPlugin(typeof(...))] naming its plugin class",
            _ when kinds.Count == 0 => "it declares no [assembly: ProviderKind(...)] or [assembly: IdentityKind(...)]",
            _ => PluginCatalog.Incompatibility(name, metadata),
        };
        results.Add(Result("metadata: a compatible contract, an entry class, its kinds", metadataProblem, $"version {metadata.DisplayVersion}, contract {metadata.ContractVersion?.ToString(2)}, kinds {string.Join(", ", kinds)}"));
        if (metadataProblem is not null)
        {
            return results;
        }

        var sandbox = Directory.CreateTempSubdirectory("atmos-plugin-check-").FullName;
        try
        {
            var home = Path.Join(sandbox, "home");
            Directory.CreateDirectory(home);
            if (request.SeedHome is not null)
            {
                CopyTree(request.SeedHome, home);
            }

            // The sandbox is the whole world the plugin's process sees: its home, and none of the real XDG folders.
            var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = home };
            foreach (var variable in new[] { "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "ATMOS_XDG_CONFIG_HOME", "ATMOS_XDG_CACHE_HOME", "ATMOS_XDG_DATA_HOME", "ATMOS_XDG_STATE_HOME" })
            {
                variables[variable] = string.Empty;
            }

            var logs = new CollectedLogs();
            using var loader = new PluginProcessLoader(installFolder, variables, sandbox, logs);
            var entry = new ManifestEntry(name, assembly, Enabled: true, "(atmos plugins check)", Isolated: true, Grants: request.Grants);
            var descriptor = new PluginDescriptor(entry, metadata, null) { Isolated = true };
            using var plugin = GuardedPlugin.Create(descriptor, loader, timeout);
            results.Add(Result("loads in a process of its own, its whole dependency closure from its folder", plugin.LoadFailure, $"Cloud '{plugin.Cloud}'"));
            if (plugin.LoadFailure is not null)
            {
                return results;
            }

            var foreign = kinds.Where(k => !k.StartsWith(plugin.Cloud + "/", StringComparison.Ordinal)).ToList();
            results.Add(Result("every kind is named <cloud>/...", foreign.Count == 0 ? null : $"{string.Join(", ", foreign)} do not start with '{plugin.Cloud}/' (atmos blames a missing plugin by that prefix)", string.Join(", ", kinds)));

            var check = new Session(plugin, metadata, name, home, sandbox, variables, request, logs, timeout);
            results.AddRange(check.Run());
            return results;
        }
        finally
        {
            try
            {
                Directory.Delete(sandbox, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static string Count(int count, string one, string? many = null) => $"{count} {(count == 1 ? one : many ?? one + "s")}";

    private static CheckResult Result(string name, string? problem, string detail) =>
        new(name, problem is null ? CheckStatus.Passed : CheckStatus.Failed, problem ?? detail);

    private static void CopyTree(string from, string to)
    {
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Join(to, Path.GetRelativePath(from, folder)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Join(to, Path.GetRelativePath(from, file)));
        }
    }

    // Every entry under a folder: kind, link target, size and content hash, by path.
    private static Dictionary<string, string> Fingerprint(string root)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            return entries;
        }

        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            entries[entry.FullName] = entry switch
            {
                _ when entry.LinkTarget is { } target => $"link {target}",
                FileInfo file => $"file {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))}",
                _ => "folder",
            };
        }

        return entries;
    }

    private static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(p => before.GetValueOrDefault(p) != after.GetValueOrDefault(p)).Order(StringComparer.Ordinal).ToList();

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The plugin's log lines and console output, kept for the secret check.</summary>
    private sealed class CollectedLogs : IPluginLogSink
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Write(string plugin, PluginLogLevel level, string message)
        {
            lock (_lines)
            {
                _lines.Add(message);
            }
        }

        public void Console(string plugin, string line) => Write(plugin, PluginLogLevel.Debug, line);
    }

    /// <summary>One plugin, one sandbox: the calls a logout makes, each checked.</summary>
    private sealed class Session(GuardedPlugin plugin, PluginMetadata metadata, string name, string home, string sandbox, Dictionary<string, string> variables, PluginCheckRequest request, CollectedLogs logs, TimeSpan timeout)
    {
        private readonly List<CheckResult> _results = [];
        private readonly List<string> _returned = [];
        private readonly string _secret = SecretMarker + Guid.NewGuid().ToString("N");

        public IReadOnlyList<CheckResult> Run()
        {
            var paths = new PathContext(home, sandbox, request.ConfigPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(request.ConfigPath)), variables);
            var config = Config();
            var context = new RunContext(config, new PluginCatalog([], new Refusing(), timeout), new MemoryKeyring(), paths, TimeProvider.System, RunContext.DefaultLockTimeout);
            var graph = context.Graph;
            var providers = config.Providers.Where(p => metadata.ProviderKinds.Contains(p.Kind)).Select(p => context.ProviderTarget(p, plugin.Cloud)).ToList();
            var identities = config.Identities.Where(i => metadata.IdentityKinds.Contains(i.Kind)).Select(i =>
            {
                var root = graph.RootProvider(i);
                return new IdentityTarget(i.Name, i.Kind, graph.Chain(i), root is null ? null : context.ProviderTarget(root, plugin.Cloud), i.Settings);
            }).ToList();
            var environment = context.EnvironmentFor(plugin.Cloud);
            var descriptor = new PluginDescriptor(new ManifestEntry(name, request.AssemblyPath, true, "(atmos plugins check)", Grants: request.Grants), metadata, null);

            var quiet = Fingerprint(sandbox);
            Answers("ValidateProvider answers for each provider", providers, t => plugin.CallEach("ValidateProvider", [t], static (p, x) => PluginAnswers.Messages(p.ValidateProvider(x)))[0], t => t.Name);
            Answers("ValidateIdentity answers for each identity", identities, t => plugin.CallEach("ValidateIdentity", [t], static (p, x) => PluginAnswers.Messages(p.ValidateIdentity(x)))[0], t => t.Name);
            var entries = providers.Select(p => (p.Name, p.Kind)).Concat(identities.Select(i => (i.Name, i.Kind)))
                .SelectMany(e => new[]
                {
                    new KeyringEntry(e.Name, e.Kind, plugin.Cloud, new Dictionary<string, string?> { ["token"] = _secret, ["expiration"] = "2030-01-01T00:00:00Z" }),
                    new KeyringEntry(e.Name, e.Kind, null, new Dictionary<string, string?>()),
                })
                .ToList();
            var classes = plugin.CallEach("Classify", entries, static (p, e) => PluginAnswers.Class(p.Classify(e)));
            Add("Classify answers Session or LongLived for every entry", classes.FirstOrDefault(c => !c.Succeeded).Failure, Count(entries.Count, "entry", "entries"));

            var requests = new List<(string Scope, PlanRequest Request)> { ("all", new PlanRequest(LogoutScope.All, providers, identities, environment)) };
            if (providers.Count > 0)
            {
                requests.Add(("provider", new PlanRequest(LogoutScope.Provider, [providers[0]], identities.Where(i => i.Provider?.Name == providers[0].Name).ToList(), environment)));
            }

            if (identities.Count > 0)
            {
                requests.Add(("identity", new PlanRequest(LogoutScope.Identity, [], [identities[0]], environment)));
            }

            var plans = new List<(string Scope, PlanRequest Request, List<FileStep?> Steps)>();
            foreach (var (scope, planRequest) in requests)
            {
                var planned = plugin.Call("Plan", p => PluginAnswers.Steps(p.Plan(planRequest)));
                Add($"Plan ({scope}) answers a bounded list of steps", planned.Failure, Count(planned.Value?.Count ?? 0, "step"));
                if (planned.Succeeded)
                {
                    plans.Add((scope, planRequest, planned.Value!));
                    Remember(planned.Value!.OfType<FileStep>().SelectMany(Texts));
                }
            }

            var inspected = plugin.Call("Inspect", p => PluginAnswers.Artifacts(p.Inspect(requests[0].Request)));
            Add("Inspect answers a bounded list of files", inspected.Failure, Count(inspected.Value?.Count ?? 0, "file"));
            Remember((inspected.Value ?? []).SelectMany(a => new[] { a.Principal, a.Path, a.Description }));
            var changedQuietly = Changed(quiet, Fingerprint(sandbox));
            Add("validation, classification, planning and inspection change nothing", changedQuietly.Count == 0 ? null : $"they changed {Shown(changedQuietly)}", "no file changed");

            foreach (var (scope, planRequest, steps) in plans)
            {
                var roots = StepGuard.Roots(planRequest, descriptor, paths);
                var refused = steps.Select(s => StepGuard.Problem(s, roots, context)).FirstOrDefault(p => p is not null);
                Add($"every step of the plan ({scope}) passes atmos's step guard", refused, $"{Count(steps.Count, "step")} inside the plugin's roots");
            }

            Execute(plans.FirstOrDefault(p => p.Scope == "all"), environment);
            var leaked = _returned.Concat(logs.Lines).FirstOrDefault(t => t.Contains(_secret, StringComparison.Ordinal));
            Add("no secret from a keyring entry comes back in a step, result, message, file or log line", leaked is null ? null : $"it returned or logged: {leaked}", "none did");
            return _results;
        }

        // Executes each step once, checking what it changed against what it declares; then once more; then plans again.
        private void Execute((string Scope, PlanRequest Request, List<FileStep?> Steps) plan, PluginEnvironment environment)
        {
            var steps = plan.Steps?.OfType<FileStep>().ToList() ?? [];
            const string Execution = "Execute changes only what its step declares";
            if (steps.Count == 0)
            {
                _results.Add(new CheckResult(Execution, CheckStatus.Skipped, request.SeedHome is null
                    ? "no step was planned in an empty home; give --home with the files the plugin should remove"
                    : "no step was planned in the home given"));
                return;
            }

            var outside = steps.Where(s => !s.Paths.Prepend(s.Target).All(p => IsInside(p, sandbox))).Select(s => s.Action).ToList();
            if (outside.Count > 0)
            {
                _results.Add(new CheckResult(Execution, CheckStatus.Skipped, $"steps {string.Join(", ", outside)} name paths outside the sandbox (a base_path outside the home?); nothing was executed"));
                return;
            }

            string? offence = null;
            foreach (var step in steps)
            {
                var before = Fingerprint(sandbox);
                var result = plugin.Call("Execute", (p, token) => PluginAnswers.Result(p.Execute(step, environment, token), step.Action), CancellationToken.None);
                var declared = step.Paths.Prepend(step.Target).Select(Path.TrimEndingDirectorySeparator).ToList();
                var undeclared = Changed(before, Fingerprint(sandbox)).Where(p => !Declares(declared, p)).ToList();
                offence ??= !result.Succeeded ? result.Failure
                    : result.Value!.Status == StepStatus.Failed ? $"step '{step.Action}' failed: {result.Value.Detail}"
                    : undeclared.Count > 0 ? $"step '{step.Action}' changed {Shown(undeclared)}, which it does not declare in its Target or Paths"
                    : null;
                Remember([result.Value?.Reason, result.Value?.Detail]);
            }

            Add(Execution, offence, $"{Count(steps.Count, "step")} ran");
            var again = steps.Select(s => plugin.Call("Execute", (p, token) => PluginAnswers.Result(p.Execute(s, environment, token), s.Action), CancellationToken.None)).ToList();
            var repeated = again.FirstOrDefault(r => !r.Succeeded || r.Value!.Status == StepStatus.Failed);
            Add("a step executed again is not a failure (already gone: NotFound)", repeated.Failure ?? repeated.Value?.Detail, "every step answered again");
            var replanned = plugin.Call("Plan", p => PluginAnswers.Steps(p.Plan(plan.Request)));
            Add("after its steps ran, nothing is left to plan", !replanned.Succeeded ? replanned.Failure : replanned.Value!.Count > 0 ? $"Plan still returns {replanned.Value.Count} steps (plan only what exists)" : null, "no step");
        }

        // A changed path a step may change: one it declares or anything inside it, a lock or temporary file beside a
        // declared file, or a folder above one (removed once empty).
        private static bool Declares(List<string> declared, string changed) => declared.Any(d =>
            changed == d
            || IsInside(changed, d)
            || IsInside(d, changed)
            || (Path.GetDirectoryName(changed) == Path.GetDirectoryName(d) && Path.GetFileName(changed).Contains(Path.GetFileName(d), StringComparison.Ordinal)));

        private void Answers<T>(string check, List<T> targets, Func<T, PluginCall<List<string>>> call, Func<T, string> label)
        {
            if (targets.Count == 0)
            {
                _results.Add(new CheckResult(check, CheckStatus.Skipped, "none of this kind in the config"));
                return;
            }

            var answers = targets.Select(t => (Target: t, Answer: call(t))).ToList();
            var failed = answers.FirstOrDefault(a => !a.Answer.Succeeded);
            Remember(answers.SelectMany(a => a.Answer.Value ?? []));
            Add(check, failed.Answer.Failure, string.Join("; ", answers.Select(a => $"{label(a.Target)}: {Count(a.Answer.Value!.Count, "problem")}")));
        }

        private AuthConfig Config()
        {
            if (request.ConfigPath is { } file)
            {
                return AuthConfigLoader.LoadFile(Path.GetFullPath(file), file);
            }

            // One of each kind, with no settings: a provider per provider kind, an identity per identity kind through the
            // first provider.
            var location = new SourceLocation("(atmos plugins check)", 0, 0);
            var providers = metadata.ProviderKinds.Select(k => new ProviderConfig($"check-{k.Replace('/', '-')}", k, null, Settings.Empty, location)).ToList();
            var identities = metadata.IdentityKinds.Select(k => new IdentityConfig($"check-{k.Replace('/', '-')}", k, providers.FirstOrDefault()?.Name, null, Settings.Empty, location)).ToList();
            return new AuthConfig { Providers = providers, Identities = identities };
        }

        private void Add(string check, string? problem, string detail) => _results.Add(Result(check, problem, detail));

        private void Remember(IEnumerable<string?> texts) => _returned.AddRange(texts.OfType<string>());

        private static IEnumerable<string?> Texts(FileStep step) =>
            step.Paths.Concat(step.Principals).Concat(step.Arguments.Keys).Concat(step.Arguments.Values).Append(step.Target).Append(step.Note).Append(step.Action);

        private string Shown(List<string> changed) =>
            string.Join(", ", changed.Take(5).Select(p => IsInside(p, home) ? "~" + p[home.Length..] : p)) + (changed.Count > 5 ? $" and {changed.Count - 5} more" : string.Empty);

        // The check's catalog lists no plugin: the step guard needs a run context, never a loader.
        private sealed class Refusing : IPluginLoader
        {
            public IProviderPlugin Load(PluginDescriptor descriptor) => throw new InvalidOperationException("the check loads its plugin itself");
        }
    }
}
