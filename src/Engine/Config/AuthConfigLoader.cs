using System.Globalization;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Keyring;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
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

    /// <summary>Reads a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="displayName">How to name it in messages (for example with <c>~</c> for home).</param>
    public static AuthConfig LoadFile(string path, string displayName)
    {
        try
        {
            var info = SafeFile.Probe(path, followLinks: true);
            if (info.Kind == EntryKind.File && info.Length > MaxBytes)
            {
                return Failed(path, new SourceLocation(displayName, 1, 1), $"file is {info.Length / 1024 / 1024} MiB; atmos.yaml may be at most {MaxBytes / 1024 / 1024} MiB");
            }

            // Opened without blocking (a FIFO fails at once, naming the file) and used only if it is a regular file.
            return Parse(SafeFile.ReadAllText(path, MaxBytes, followLinks: true), displayName) with { SourcePath = path };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(path, null, $"cannot read {displayName}: {SafeFile.Explain(ex)}");
        }
    }

    /// <summary>Parses YAML text.</summary>
    /// <param name="text">The content.</param>
    /// <param name="displayName">How to name the file in messages.</param>
    public static AuthConfig Parse(string text, string displayName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(displayName);
        try
        {
            // One scan of the text: the shape check records the events and the tree is built from that record.
            var events = new List<ParsingEvent>();
            if (reader.CheckShape(text, events) is { } shapeProblem)
            {
                return new AuthConfig { Problems = [shapeProblem] };
            }

            var stream = new YamlStream();
            Guarded(() => stream.Load(new RecordedEvents(events)), Mark.Empty);
            return reader.Read(stream);
        }
        catch (YamlException ex)
        {
            var where = new SourceLocation(displayName, (int)ex.Start.Line, (int)ex.Start.Column);
            var message = ex.InnerException?.Message ?? ex.Message;
            return new AuthConfig { Problems = [ConfigProblem.Error(where, $"invalid YAML: {OneLine(message)}; fix the syntax at this line")] };
        }
    }

    // YamlDotNet fails on some malformed input with other exceptions than YamlException (an InvalidOperationException
    // from its scanner, for one): that is still invalid YAML, reported where reading stopped.
    private static T Guarded<T>(Func<T> read, Mark readUpTo)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not (YamlException or OutOfMemoryException))
        {
            throw new YamlException(readUpTo, readUpTo, "the YAML parser cannot read past this point");
        }
    }

    private static void Guarded(Action read, Mark readUpTo) => Guarded(() => { read(); return true; }, readUpTo);

    // Replays events already read, for YamlStream.Load.
    private sealed class RecordedEvents(List<ParsingEvent> events) : IParser
    {
        private int _next;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            Current = _next < events.Count ? events[_next++] : null;
            return Current is not null;
        }
    }

    private static AuthConfig Failed(string path, SourceLocation? location, string message) =>
        new() { SourcePath = path, Problems = [ConfigProblem.Error(location, message)] };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private sealed class Reader
    {
        private readonly string _file;
        private readonly List<ConfigProblem> _problems = [];
        private int _nodes;

        public Reader(string file) => _file = file;

        // Cheap event scan before building a tree, so hostile input can neither overflow the stack nor hang: nesting
        // depth; the number of values with aliases expanded (YamlDotNet hashes a mapping key by walking it, so an alias
        // bomb used as a key hangs the load itself); and aliases to an anchor that is not complete yet, which would make
        // a cycle (YAML requires an anchor to be defined before its aliases).
        public ConfigProblem? CheckShape(string text, List<ParsingEvent> record)
        {
            var scanner = new Scanner(new StringReader(text));
            var parser = new Parser(scanner);
            var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
            var open = new List<(string? Anchor, long Size)>();
            long total = 0;
            ConfigProblem? broken;
            while (MoveNext(parser, scanner, out broken))
            {
                var current = parser.Current!;
                record.Add(current);
                long added;
                switch (current)
                {
                    case DocumentStart:
                        anchors.Clear();
                        continue;
                    case MappingStart or SequenceStart:
                        if (open.Count + 1 > MaxDepth)
                        {
                            return ConfigProblem.Error(At(current.Start), $"nesting is deeper than {MaxDepth} levels; atmos.yaml needs only a few");
                        }

                        open.Add((AnchorOf(current), 1));
                        continue;
                    case MappingEnd or SequenceEnd:
                        var (anchor, size) = open[^1];
                        open.RemoveAt(open.Count - 1);
                        Define(anchors, anchor, size);
                        added = size;
                        break;
                    case Scalar:
                        Define(anchors, AnchorOf(current), 1);
                        added = 1;
                        break;
                    case AnchorAlias alias:
                        var name = alias.Value.Value;
                        if (!anchors.TryGetValue(name, out added) || open.Any(o => o.Anchor == name))
                        {
                            return ConfigProblem.Error(At(current.Start), $"alias *{name} refers to an anchor that is not defined before it or that contains it (a cycle); define &{name} first, outside what uses it");
                        }

                        break;
                    default:
                        continue;
                }

                // Count the value in its parent (or the document); stop as soon as anything grows past the limit.
                var count = (open.Count > 0 ? open[^1].Size : total) + added;
                if (count > MaxNodes)
                {
                    return ConfigProblem.Error(At(current.Start), $"more than {MaxNodes} values, counting alias expansions; atmos.yaml needs far fewer");
                }

                if (open.Count > 0)
                {
                    open[^1] = open[^1] with { Size = count };
                }
                else
                {
                    total = count;
                }
            }

            return broken;
        }

        // Some malformed input (an unclosed flow mapping running into the next line, "...\ne") makes YamlDotNet's scanner
        // throw other exceptions than YamlException (InvalidOperationException, for one): report it at the scanner's
        // position like any syntax error.
        private bool MoveNext(Parser parser, Scanner scanner, out ConfigProblem? broken)
        {
            broken = null;
            try
            {
                return parser.MoveNext();
            }
            catch (Exception ex) when (ex is not (YamlException or OutOfMemoryException))
            {
                broken = ConfigProblem.Error(At(scanner.CurrentPosition), "invalid YAML: the parser cannot continue here (an unclosed {, [ or quote?); fix the syntax at this line");
                return false;
            }
        }

        private static string? AnchorOf(ParsingEvent current) =>
            current is NodeEvent { Anchor.IsEmpty: false } node ? node.Anchor.Value : null;

        private static void Define(Dictionary<string, long> anchors, string? anchor, long size)
        {
            if (anchor is not null)
            {
                anchors[anchor] = size;
            }
        }

        public AuthConfig Read(YamlStream stream)
        {
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                _problems.Add(ConfigProblem.Warning(new SourceLocation(_file, 1, 1), "the file is empty; add an auth: section with providers and identities"));
                return new AuthConfig { Problems = _problems };
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                _problems.Add(ConfigProblem.Error(At(stream.Documents[0].RootNode), "the top level must be a mapping (key: value pairs) holding an auth: section"));
                return new AuthConfig { Problems = _problems };
            }

            var auth = Child(root, "auth");
            if (auth is null)
            {
                _problems.Add(ConfigProblem.Warning(At(root), "no auth: section; add auth.providers and auth.identities"));
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
                if (key is YamlScalarNode { Value: { } name } && !AuthKeys.Contains(name))
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

        // CheckShape bounds the text; this bounds the tree as built, in case aliases resolve in a way it did not foresee.
        private object? ToValue(YamlNode node, int depth)
        {
            if (++_nodes > MaxNodes)
            {
                throw new YamlException(node.Start, node.End, $"more than {MaxNodes} values (alias expansion?); atmos.yaml needs far fewer");
            }

            if (depth > MaxDepth)
            {
                throw new YamlException(node.Start, node.End, $"nesting is deeper than {MaxDepth} levels with aliases expanded; atmos.yaml needs only a few");
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

        private static YamlNode? Child(YamlNode? node, string key) =>
            node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        private SourceLocation At(YamlNode node) => At(node.Start);

        private SourceLocation At(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);
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
