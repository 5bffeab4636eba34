using System.Globalization;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Keyring;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// Reads the <c>auth:</c> section of atmos.yaml into an <see cref="AuthConfig"/>, keeping the line and column of
/// everything for error messages. Never throws for bad input: every problem is returned in
/// <see cref="AuthConfig.Problems"/> as one line.
/// </summary>
public static class AuthConfigLoader
{
    /// <summary>Larger files are refused before parsing.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Deeper nesting is refused before building a tree (a recursive tree would overflow the stack).</summary>
    public const int MaxDepth = 64;

    /// <summary>More nodes than this (for example through alias expansion) are refused.</summary>
    public const int MaxNodes = 200_000;

    private static readonly HashSet<string> AuthKeys = ["providers", "identities", "integrations", "keyring", "audit", "logs", "realm", "plugins"];

    /// <summary>
    /// Finds, reads and merges every atmos.yaml real atmos reads (see <see cref="ConfigLoader"/>) and reads its
    /// <c>auth:</c> section.
    /// </summary>
    /// <param name="request">Flags and process.</param>
    public static AuthConfig Load(ConfigRequest request) => ConfigLoader.Load(request);

    /// <summary>Reads one file on its own (no discovery, imports or profiles).</summary>
    /// <param name="path">The file.</param>
    /// <param name="displayName">How to name it in messages (for example with <c>~</c> for home).</param>
    public static AuthConfig LoadFile(string path, string displayName)
    {
        var root = ConfigDocument.Load(path, displayName, out var problem);
        return problem is not null
            ? new AuthConfig { SourcePath = path, Files = [path], Problems = [problem] }
            : FromTree(root, displayName, DefaultFunctions) with { SourcePath = path, Files = [path] };
    }

    /// <summary>Parses YAML text on its own (no discovery, imports or profiles).</summary>
    /// <param name="text">The content.</param>
    /// <param name="displayName">How to name the file in messages.</param>
    /// <param name="functions">What YAML functions read; by default no variables, and <c>!exec</c> does not run.</param>
    public static AuthConfig Parse(string text, string displayName, FunctionContext? functions = null)
    {
        var root = ConfigDocument.Parse(text, displayName, out var problem);
        return problem is not null ? new AuthConfig { Problems = [problem] } : FromTree(root, displayName, functions ?? DefaultFunctions);
    }

    private static FunctionContext DefaultFunctions => new(new Dictionary<string, string>(), "/", RunCommands: false, FunctionContext.DefaultCommandTimeout);

    private static AuthConfig FromTree(YamlNode? root, string displayName, FunctionContext functions)
    {
        var locations = new ConfigLocations(displayName);
        var problems = new List<ConfigProblem>();
        var evaluator = new YamlFunctions(functions, locations, problems);
        if (root is YamlMappingNode map && ConfigMerge.Child(map, "auth") is { } auth)
        {
            var resolved = evaluator.Resolve(auth, displayName, displayName, "auth");
            var tree = new YamlMappingNode();
            locations.Set(tree, locations.Of(map));
            foreach (var (key, value) in map.Children)
            {
                tree.Children.Add(key, ReferenceEquals(value, auth) ? resolved is null ? new YamlScalarNode(string.Empty) : ConfigMerge.Clean(resolved, locations) : value);
            }

            root = tree;
        }

        return Read(root, locations, evaluator.Failed, problems);
    }

    /// <summary>Reads the <c>auth:</c> section of a merged tree.</summary>
    /// <param name="root">The merged tree, or null when nothing usable was read.</param>
    /// <param name="locations">Where each node was written.</param>
    /// <param name="failed">Nodes whose YAML function failed (already reported).</param>
    /// <param name="problems">Problems found before reading (discovery, files, functions).</param>
    public static AuthConfig Read(YamlMappingNode? root, ConfigLocations locations, IReadOnlySet<YamlNode> failed, IReadOnlyList<ConfigProblem> problems) =>
        Read((YamlNode?)root, locations, failed, problems);

    private static AuthConfig Read(YamlNode? root, ConfigLocations locations, IReadOnlySet<YamlNode> failed, IReadOnlyList<ConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var reader = new Reader(locations, failed, problems);
        try
        {
            return reader.Read(root);
        }
        catch (TooLargeException ex)
        {
            return new AuthConfig { Problems = [.. problems, ConfigProblem.Error(ex.Location, $"invalid YAML: {ex.Message}")] };
        }
    }

    private sealed class TooLargeException(SourceLocation location, string message) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private sealed class Reader
    {
        private readonly ConfigLocations _locations;
        private readonly IReadOnlySet<YamlNode> _failed;
        private readonly List<ConfigProblem> _problems;
        private int _nodes;

        public Reader(ConfigLocations locations, IReadOnlySet<YamlNode> failed, IReadOnlyList<ConfigProblem> problems)
        {
            _locations = locations;
            _failed = failed;
            _problems = [.. problems];
        }

        public AuthConfig Read(YamlNode? root)
        {
            if (root is null || root is YamlScalarNode { Value: null or "" or "~" or "null" } || root is YamlMappingNode { Children.Count: 0 })
            {
                if (!_problems.Any(p => p.Severity == ProblemSeverity.Error))
                {
                    _problems.Add(ConfigProblem.Warning(new SourceLocation(_locations.DefaultFile ?? "atmos.yaml", 1, 1), "the file is empty; add an auth: section with providers and identities"));
                }

                return new AuthConfig { Problems = _problems };
            }

            if (root is not YamlMappingNode rootMap)
            {
                _problems.Add(ConfigProblem.Error(At(root), "the top level must be a mapping (key: value pairs) holding an auth: section"));
                return new AuthConfig { Problems = _problems };
            }

            var auth = Child(rootMap, "auth");
            if (auth is null)
            {
                _problems.Add(ConfigProblem.Warning(At(rootMap), "no auth: section; add auth.providers and auth.identities"));
                return new AuthConfig { Problems = _problems };
            }

            if (auth is not YamlMappingNode authMap)
            {
                if (!IsNull(auth))
                {
                    _problems.Add(ConfigProblem.Error(At(auth), "auth must be a mapping with providers: and identities:"));
                }

                return new AuthConfig { Problems = _problems };
            }

            foreach (var key in authMap.Children.Keys)
            {
                // Keys starting with "_" are atmos's own bookkeeping (provisioned identity files carry auth._metadata).
                if (key is YamlScalarNode { Value: { } name } && !AuthKeys.Contains(name) && !name.StartsWith('_'))
                {
                    _problems.Add(ConfigProblem.Warning(At(key), $"unknown key auth.{name} is ignored; known keys are {string.Join(", ", AuthKeys.Order(StringComparer.Ordinal))}"));
                }
            }

            var realmNode = Child(authMap, "realm");
            return new AuthConfig
            {
                Providers = ReadEntries(Child(authMap, "providers"), "auth.providers", ReadProvider),
                Identities = ReadEntries(Child(authMap, "identities"), "auth.identities", ReadIdentity),
                Integrations = ReadEntries(Child(authMap, "integrations"), "auth.integrations", ReadIntegration),
                Keyring = ReadKeyring(Child(authMap, "keyring")),
                Audit = ReadAudit(Child(authMap, "audit")),
                Realm = OptionalScalar(authMap, "realm", "auth.realm"),
                RealmLocation = realmNode is null ? null : At(realmNode),
                Problems = _problems,
            };
        }

        private List<T> ReadEntries<T>(YamlNode? node, string path, Func<string, YamlMappingNode, SourceLocation, T?> read)
            where T : class
        {
            var entries = new List<T>();
            if (node is null || IsNull(node))
            {
                return entries;
            }

            if (node is not YamlMappingNode map)
            {
                _problems.Add(ConfigProblem.Error(At(node), $"{path} must be a mapping of names to settings"));
                return entries;
            }

            foreach (var (key, value) in map.Children)
            {
                if (key is not YamlScalarNode { Value: { } name })
                {
                    _problems.Add(ConfigProblem.Error(At(key), $"{path} keys must be plain names"));
                    continue;
                }

                if (value is not YamlMappingNode settings)
                {
                    _problems.Add(ConfigProblem.Error(At(value), $"{path}.{name} must be a mapping with at least kind:") with { Principals = [name] });
                    continue;
                }

                // An entry's own errors (no kind, a bad via) block only that entry: a logout reports it and does the rest.
                var before = _problems.Count;
                if (read(name, settings, At(key)) is { } entry)
                {
                    entries.Add(entry);
                }

                for (var i = before; i < _problems.Count; i++)
                {
                    if (_problems[i].Severity == ProblemSeverity.Error)
                    {
                        _problems[i] = _problems[i] with { Principals = [name] };
                    }
                }
            }

            return entries;
        }

        private ProviderConfig? ReadProvider(string name, YamlMappingNode map, SourceLocation location)
        {
            var kind = RequiredScalar(map, "kind", $"provider '{name}'", location);
            var basePathNode = Child(Child(Child(map, "spec"), "files"), "base_path");
            string? basePath = null;
            if (basePathNode is YamlScalarNode scalar)
            {
                basePath = scalar.Value ?? string.Empty;
            }
            else if (basePathNode is not null)
            {
                _problems.Add(ConfigProblem.Error(At(basePathNode), $"provider '{name}': spec.files.base_path must be a path string"));
            }

            return kind is null ? null : new ProviderConfig(name, kind, basePath, ToSettings(map), location);
        }

        private IdentityConfig? ReadIdentity(string name, YamlMappingNode map, SourceLocation location)
        {
            var kind = RequiredScalar(map, "kind", $"identity '{name}'", location);
            string? viaProvider = null;
            string? viaIdentity = null;
            var via = Child(map, "via");
            if (via is YamlMappingNode viaMap)
            {
                viaProvider = OptionalScalar(viaMap, "provider", $"identity '{name}': via.provider");
                viaIdentity = OptionalScalar(viaMap, "identity", $"identity '{name}': via.identity");
                foreach (var key in viaMap.Children.Keys)
                {
                    if (key is YamlScalarNode { Value: { } k } && k is not ("provider" or "identity"))
                    {
                        _problems.Add(ConfigProblem.Warning(At(key), $"identity '{name}': unknown key via.{k} is ignored; use via.provider or via.identity"));
                    }
                }
            }
            else if (via is not null && !IsNull(via))
            {
                _problems.Add(ConfigProblem.Error(At(via), $"identity '{name}': via must be a mapping with provider: or identity:"));
            }

            return kind is null ? null : new IdentityConfig(name, kind, viaProvider, viaIdentity, ToSettings(map), location);
        }

        // An integration names the identity or provider it is bound to (via), like an identity does.
        private IntegrationConfig? ReadIntegration(string name, YamlMappingNode map, SourceLocation location)
        {
            var kind = RequiredScalar(map, "kind", $"integration '{name}'", location);
            string? viaIdentity = null;
            string? viaProvider = null;
            var via = Child(map, "via");
            if (via is YamlMappingNode viaMap)
            {
                viaIdentity = OptionalScalar(viaMap, "identity", $"integration '{name}': via.identity");
                viaProvider = OptionalScalar(viaMap, "provider", $"integration '{name}': via.provider");
            }
            else if (via is not null && !IsNull(via))
            {
                _problems.Add(ConfigProblem.Error(At(via), $"integration '{name}': via must be a mapping with identity: or provider:"));
            }

            return kind is null ? null : new IntegrationConfig(name, kind, viaIdentity, viaProvider, ToSettings(map), location);
        }

        private KeyringSettings ReadKeyring(YamlNode? node)
        {
            if (node is not YamlMappingNode map)
            {
                if (node is not null && !IsNull(node))
                {
                    _problems.Add(ConfigProblem.Error(At(node), "auth.keyring must be a mapping, e.g. { type: system }"));
                }

                return KeyringSettings.Default;
            }

            var type = OptionalScalar(map, "type", "auth.keyring.type") ?? KeyringSettings.Default.Type;
            if (!KeyringSettings.Types.Contains(type))
            {
                _problems.Add(ConfigProblem.Error(At(Child(map, "type")!), $"auth.keyring.type '{type}' is not supported; use one of {string.Join(", ", KeyringSettings.Types)}"));
                type = KeyringSettings.Default.Type;
            }

            var timeout = KeyringSettings.Default.Timeout;
            if (OptionalScalar(map, "timeout", "auth.keyring.timeout") is { } text)
            {
                if (Durations.TryParse(text, out var parsed) && parsed > TimeSpan.Zero)
                {
                    timeout = parsed;
                }
                else
                {
                    _problems.Add(ConfigProblem.Error(At(Child(map, "timeout")!), $"auth.keyring.timeout '{text}' is not a duration; write e.g. 3s or 500ms"));
                }
            }

            // atmos keeps the file backend's settings under spec:; a bare auth.keyring.path (our first spelling) still works.
            var spec = Child(map, "spec");
            if (spec is not null && !IsNull(spec) && spec is not YamlMappingNode)
            {
                _problems.Add(ConfigProblem.Error(At(spec), "auth.keyring.spec must be a mapping, e.g. { path: ~/.atmos/keyring, password_env: MY_KEYRING_PASSWORD }"));
            }

            var specMap = spec as YamlMappingNode;
            var path = (specMap is null ? null : OptionalScalar(specMap, "path", "auth.keyring.spec.path")) ?? OptionalScalar(map, "path", "auth.keyring.path");
            var passwordEnv = specMap is null ? null : OptionalScalar(specMap, "password_env", "auth.keyring.spec.password_env");
            return new KeyringSettings(type, timeout, path, passwordEnv);
        }

        private AuditSettings ReadAudit(YamlNode? node)
        {
            if (node is not YamlMappingNode map)
            {
                if (node is not null && !IsNull(node))
                {
                    _problems.Add(ConfigProblem.Error(At(node), "auth.audit must be a mapping, e.g. { enabled: true, path: ~/audit.jsonl }"));
                }

                return AuditSettings.Default;
            }

            var enabled = true;
            if (OptionalScalar(map, "enabled", "auth.audit.enabled") is { } flag)
            {
                if (!bool.TryParse(flag, out enabled))
                {
                    _problems.Add(ConfigProblem.Error(At(Child(map, "enabled")!), $"auth.audit.enabled '{flag}' must be true or false"));
                    enabled = true;
                }
            }

            return new AuditSettings(enabled, OptionalScalar(map, "path", "auth.audit.path"));
        }

        private string? RequiredScalar(YamlMappingNode map, string key, string owner, SourceLocation location)
        {
            var node = Child(map, key);
            if (node is YamlScalarNode { Value: { Length: > 0 } value } && !IsNull(node))
            {
                return value;
            }

            if (node is null && ConfigMerge.Child(map, key) is { } failed && _failed.Contains(failed))
            {
                // Its YAML function failed and was reported where it is written.
                return null;
            }

            _problems.Add(ConfigProblem.Error(node is null ? location : At(node), $"{owner} has no {key}; add {key}: with one of the kinds the plugins provide"));
            return null;
        }

        private string? OptionalScalar(YamlMappingNode map, string key, string what)
        {
            var node = Child(map, key);
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode scalar when !IsNull(scalar):
                    return scalar.Value;
                case YamlScalarNode:
                    return null;
                default:
                    _problems.Add(ConfigProblem.Error(At(node), $"{what} must be a single value, not a list or mapping"));
                    return null;
            }
        }

        private Settings ToSettings(YamlMappingNode map, int depth = 0)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: { } name })
                {
                    values[name] = ToValue(value, depth + 1);
                }
            }

            return new Settings(values);
        }

        // The document check bounds each file's text; this bounds the tree as merged and evaluated, in case aliases,
        // merge keys or includes resolve in a way it did not foresee.
        private object? ToValue(YamlNode node, int depth)
        {
            if (++_nodes > MaxNodes)
            {
                throw new TooLargeException(At(node), $"more than {MaxNodes} values (alias expansion?); atmos.yaml needs far fewer");
            }

            if (depth > MaxDepth)
            {
                throw new TooLargeException(At(node), $"nesting is deeper than {MaxDepth} levels with aliases expanded; atmos.yaml needs only a few");
            }

            return node switch
            {
                YamlMappingNode map => ToSettings(map, depth),
                YamlSequenceNode list => list.Children.Select(child => ToValue(child, depth + 1)).ToList(),
                YamlScalarNode scalar when IsNull(scalar) => null,
                YamlScalarNode scalar => scalar.Value,
                _ => null,
            };
        }

        // Keys match as atmos matches them (Viper lower-cases every key): exactly, else ignoring case. A value whose YAML
        // function failed reads as absent: the failure is already reported where it is written.
        private YamlNode? Child(YamlNode? node, string key) =>
            ConfigMerge.Child(node, key) is { } child && !_failed.Contains(child) ? child : null;

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        private SourceLocation At(YamlNode node) => _locations.Of(node);
    }
}

/// <summary>Durations as written in atmos.yaml: <c>3s</c>, <c>500ms</c>, <c>2m</c>, or a number of seconds.</summary>
public static class Durations
{
    /// <summary>Parses a duration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration.</param>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0 || amount > 86_400 / scale)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }
}
