using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Keyring;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Engine.Config;

/// <summary>What atmos's YAML functions read from this process.</summary>
/// <param name="Environment">The environment variables (<c>!env</c>, and <c>!exec</c>'s environment).</param>
/// <param name="WorkingDirectory">The current folder (<c>!cwd</c>, <c>!exec</c>, relative <c>!include</c>).</param>
/// <param name="RunCommands">Whether <c>!exec</c> may run: false while completing a command line, where a value is never needed.</param>
/// <param name="CommandTimeout">How long one <c>!exec</c> may take.</param>
public sealed record FunctionContext(IReadOnlyDictionary<string, string> Environment, string WorkingDirectory, bool RunCommands, TimeSpan CommandTimeout)
{
    private GitRepository? _git;
    private bool _gitSearched;

    /// <summary>How a file is named in messages (for example with <c>~</c> for home).</summary>
    public Func<string, string> Display { get; init; } = static path => path;

    /// <summary>The default limit for one <c>!exec</c>.</summary>
    public static TimeSpan DefaultCommandTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The Git repository around the working folder (looked for once), or null.</summary>
    public GitRepository? Git
    {
        get
        {
            if (!_gitSearched)
            {
                _git = GitRepository.Find(WorkingDirectory);
                _gitSearched = true;
            }

            return _git;
        }
    }
}

/// <summary>
/// Evaluates atmos's YAML functions in a file's tree (<c>pkg/config/process_yaml.go</c>): <c>!env</c>, <c>!exec</c>,
/// <c>!include</c>, <c>!include.raw</c>, <c>!repo-root</c>, <c>!git.*</c> (read from <c>.git</c>, no network),
/// <c>!cwd</c>, <c>!random</c>; and applies YAML merge keys (<c>&lt;&lt;: *anchor</c>). <c>!unset</c> and
/// <c>!append</c> stay in the tree: they act when files merge (<see cref="ConfigMerge"/>). The result is a new tree
/// (the file's own nodes are never changed); a function that fails becomes one problem naming the file, line, column
/// and function, and its value is left out.
/// </summary>
public sealed class YamlFunctions
{
    /// <summary>The functions atmos.yaml supports (without the leading <c>!</c>).</summary>
    public static IReadOnlyList<string> Supported { get; } =
        ["env", "exec", "include", "include.raw", "repo-root", "git.root", "git.sha", "git.ref", "git.branch", "git.repository", "git.owner", "git.name", "git.host", "git.url", "cwd", "random", "unset", "append"];

    private const string MergeKey = "<<";

    private readonly FunctionContext _context;
    private readonly ConfigLocations _locations;
    private readonly List<ConfigProblem> _problems;

    // The mapping keys from the file's root to the node being evaluated.
    private readonly List<string> _keys = [];
    private readonly Dictionary<YamlNode, YamlNode?> _done = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<YamlNode> _failed = new(ReferenceEqualityComparer.Instance);
    private string _file = string.Empty;
    private string _path = string.Empty;

    /// <summary>Creates an evaluator whose results and problems go to the given table and list.</summary>
    /// <param name="context">What the functions read.</param>
    /// <param name="locations">Where results count as written.</param>
    /// <param name="problems">Where failures go.</param>
    public YamlFunctions(FunctionContext context, ConfigLocations locations, List<ConfigProblem> problems)
    {
        _context = context;
        _locations = locations;
        _problems = problems;
    }

    /// <summary>Whether the last <see cref="Resolve"/> met <c>!unset</c> or <c>!append</c>.</summary>
    public bool SawDirectives { get; private set; }

    /// <summary>Nodes whose function failed (already reported): readers skip their own complaint about the missing value.</summary>
    public IReadOnlySet<YamlNode> Failed => _failed;

    /// <summary>The tree with functions evaluated and merge keys applied.</summary>
    /// <param name="node">A node of <paramref name="path"/>.</param>
    /// <param name="path">The file (for <c>!include</c> relative to it).</param>
    /// <param name="displayName">How the file is named in messages.</param>
    /// <param name="key">The top-level key <paramref name="node"/> is the value of (<c>auth</c>), when it is one.</param>
    public YamlNode? Resolve(YamlNode node, string path, string displayName, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _path = path;
        _file = displayName;
        SawDirectives = false;
        _keys.Clear();
        if (key is not null)
        {
            _keys.Add(key);
        }

        return Walk(node);
    }

    private YamlNode? Walk(YamlNode node)
    {
        // Only an anchored node can be met twice (through its aliases); it is evaluated once, so an !exec under it runs
        // once. Other nodes skip the bookkeeping.
        var anchored = !node.Anchor.IsEmpty;
        if (anchored && _done.TryGetValue(node, out var seen))
        {
            SawDirectives |= ContainsDirective(seen);
            return seen;
        }

        var result = node switch
        {
            YamlMappingNode map => WalkMapping(map),
            YamlSequenceNode list => WalkSequence(list),
            YamlScalarNode scalar => WalkScalar(scalar),
            _ => node,
        };
        if (anchored)
        {
            _done[node] = result;
        }

        return result;
    }

    private YamlNode WalkMapping(YamlMappingNode map)
    {
        // Nothing is copied until something changes: a file without functions or merge keys is returned as it is.
        List<KeyValuePair<YamlNode, YamlNode>>? entries = null;
        List<YamlNode>? merged = null;
        var index = 0;
        foreach (var (key, value) in map.Children)
        {
            if (IsMergeKey(key))
            {
                entries ??= map.Children.Take(index).ToList();
                merged ??= [];
                merged.AddRange(MergeSources(value));
                index++;
                continue;
            }

            _keys.Add(key is YamlScalarNode { Value: { } name } ? name : string.Empty);
            var resolved = Walk(value);
            _keys.RemoveAt(_keys.Count - 1);
            if (entries is null && ReferenceEquals(resolved, value))
            {
                index++;
                continue;
            }

            entries ??= map.Children.Take(index).ToList();
            if (resolved is not null)
            {
                entries.Add(new(key, resolved));
            }

            index++;
        }

        if (entries is null)
        {
            return map;
        }

        var result = new YamlMappingNode();
        _locations.Set(result, _locations.Of(map));
        foreach (var (key, value) in entries)
        {
            result.Children.Add(key, value);
        }

        foreach (var source in merged ?? [])
        {
            AddMissing(result, source, Walk);
        }

        return result;
    }

    // YAML 1.1 merge keys: "<<: *a" or "<<: [*a, *b]" adds the keys of those mappings (earlier ones first) that the
    // mapping does not set itself.
    private static bool IsMergeKey(YamlNode key) => key is YamlScalarNode { Value: MergeKey, Style: ScalarStyle.Plain or ScalarStyle.Any };

    private static IEnumerable<YamlNode> MergeSources(YamlNode value) => value is YamlSequenceNode many ? many.Children : [value];

    private void AddMissing(YamlMappingNode into, YamlNode source, Func<YamlNode, YamlNode?> resolve)
    {
        if (resolve(source) is not YamlMappingNode defaults)
        {
            Fail(source, "the merge key << needs a mapping (or a list of mappings) to merge, e.g. <<: *defaults");
            return;
        }

        foreach (var (key, value) in defaults.Children)
        {
            into.Children.TryAdd(key, value);
        }
    }

    private YamlNode WalkSequence(YamlSequenceNode list)
    {
        if (ConfigMerge.IsAppend(list))
        {
            SawDirectives = true;
        }
        else if (ConfigMerge.TagOf(list) is { } listTag && IsCustom(listTag))
        {
            Fail(list, $"{listTag} cannot tag a list; only !append can (supported: {string.Join(", ", Supported.Select(s => "!" + s))})");
        }

        List<YamlNode>? items = null;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var resolved = Walk(item);
            if (items is null && ReferenceEquals(resolved, item))
            {
                continue;
            }

            items ??= list.Children.Take(i).ToList();
            if (resolved is not null)
            {
                items.Add(resolved);
            }
        }

        if (items is null)
        {
            return list;
        }

        var result = new YamlSequenceNode(items) { Tag = list.Tag };
        _locations.Set(result, _locations.Of(list));
        return result;
    }

    private YamlNode? WalkScalar(YamlScalarNode scalar)
    {
        if (ConfigMerge.TagOf(scalar) is not { } tag || !IsCustom(tag))
        {
            return scalar;
        }

        var function = tag[1..];
        var argument = scalar.Value?.Trim() ?? string.Empty;
        try
        {
            return function switch
            {
                "unset" => Directive(scalar),
                "env" => Text(scalar, Env(argument)),
                "exec" => Exec(scalar, argument),
                "include" => Include(scalar, argument, raw: false),
                "include.raw" => Include(scalar, argument, raw: true),
                "repo-root" or "git.root" => Text(scalar, Or(argument, _context.Git?.Root, "the working folder is not inside a Git repository")),
                "git.sha" or "git.ref" => Text(scalar, GitValue(argument, git => git.HeadCommit(out var error) ?? throw new FunctionException(error!))),
                "git.branch" => Text(scalar, GitValue(argument, git => git.Branch(out var error) ?? throw new FunctionException(error!))),
                "git.url" => Text(scalar, GitValue(argument, git => git.RemoteUrl() ?? throw new FunctionException("the repository has no remote"))),
                "git.host" => Text(scalar, GitValue(argument, git => Remote(git).Host)),
                "git.owner" => Text(scalar, GitValue(argument, git => Remote(git).Owner)),
                "git.name" => Text(scalar, GitValue(argument, git => Remote(git).Name)),
                "git.repository" => Text(scalar, GitValue(argument, git => $"{Remote(git).Owner}/{Remote(git).Name}")),
                "cwd" => Text(scalar, argument.Length == 0 ? _context.WorkingDirectory : Path.GetFullPath(argument, _context.WorkingDirectory)),
                "random" => Text(scalar, Random(argument)),
                "append" => throw new FunctionException("!append tags a list (!append [a, b]), not a single value"),
                _ => throw new FunctionException($"unsupported YAML function in atmos.yaml; supported: {string.Join(", ", Supported.Select(s => "!" + s))}"),
            };
        }
        catch (FunctionException ex)
        {
            // The value is left empty, and marked: readers do not complain a second time that it is missing.
            var placeholder = Text(scalar, string.Empty);
            Fail(placeholder, $"{tag}{(argument.Length > 0 ? " " + argument : string.Empty)}: {ex.Message}");
            return placeholder;
        }
    }

    private YamlNode Directive(YamlScalarNode scalar)
    {
        SawDirectives = true;
        return scalar;
    }

    // Whether a tree already evaluated holds a directive (an anchor evaluated elsewhere in the file).
    private static bool ContainsDirective(YamlNode? node) => node switch
    {
        YamlScalarNode scalar => ConfigMerge.IsUnset(scalar),
        YamlSequenceNode list => ConfigMerge.IsAppend(list) || list.Children.Any(ContainsDirective),
        YamlMappingNode map => map.Children.Values.Any(ContainsDirective),
        _ => false,
    };

    // !env NAME [default]: atmos returns "" for an unset variable without a default; here that is an error, because a
    // value that silently turns empty would aim a logout at the wrong folder or portal.
    private string Env(string argument)
    {
        var words = Words(argument);
        if (words.Count is 0 or > 2)
        {
            throw new FunctionException("takes a variable name and an optional default: !env NAME or !env NAME default");
        }

        if (_context.Environment.TryGetValue(words[0], out var value))
        {
            return value.Trim();
        }

        return words.Count == 2 ? words[1] : throw new FunctionException($"the environment variable {words[0]} is not set and there is no default; set it, or write !env {words[0]} <default>");
    }

    // !exec COMMAND: run by the shell in the working folder; stdout without trailing newlines, decoded as JSON when it is
    // JSON (an object or list becomes a mapping or list), as atmos's ProcessTagExec does.
    private YamlNode? Exec(YamlScalarNode scalar, string command)
    {
        if (command.Length == 0)
        {
            throw new FunctionException("needs a command: !exec <command>");
        }

        if (!_context.RunCommands)
        {
            // Completion never needs a value, so commands do not run there; the value is simply unknown.
            var unknown = Text(scalar, string.Empty);
            _failed.Add(unknown);
            return unknown;
        }

        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        start.WorkingDirectory = _context.WorkingDirectory;
        start.Environment.Clear();
        foreach (var (name, value) in _context.Environment)
        {
            start.Environment[name] = value;
        }

        ProcessResult result;
        using var timeout = new CancellationTokenSource(_context.CommandTimeout);
        try
        {
            result = ExternalProcess.RunAsync(start, standardInput: null, timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new FunctionException($"the command did not finish within {_context.CommandTimeout.TotalSeconds:0}s and was stopped");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new FunctionException($"cannot run the shell: {ex.Message}");
        }

        if (result.ExitCode != 0)
        {
            var detail = result.StandardError.Trim().Split('\n', 2)[0].Trim();
            throw new FunctionException($"the command failed (exit code {result.ExitCode}){(detail.Length > 0 ? ": " + detail : string.Empty)}");
        }

        var output = result.StandardOutput.TrimEnd('\n', '\r');
        var trimmed = output.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            // JSON is YAML: parse it as a document, keeping the function's place for anything inside.
            if (ConfigDocument.Parse(output, _file, out _) is { } tree and (YamlMappingNode or YamlSequenceNode))
            {
                return Placed(tree, scalar);
            }
        }

        return Text(scalar, trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"' ? UnquoteJson(trimmed) : output);
    }

    // !include PATH [QUERY] and !include.raw PATH: the file relative to the including file (then to the working folder,
    // where atmos looks), parsed by extension (.yaml/.yml/.json as YAML, .env as KEY=VALUE, anything else as text).
    private YamlNode? Include(YamlScalarNode scalar, string argument, bool raw)
    {
        var (target, query) = PathAndQuery(argument);
        if (target.Contains("://", StringComparison.Ordinal) || target.Contains("::", StringComparison.Ordinal))
        {
            throw new FunctionException("remote files are not fetched (this tool works offline); copy the file next to atmos.yaml and include it by path");
        }

        var found = LocalFile(target);
        string text;
        try
        {
            // Opened without blocking and only if a regular file of a sane size (a FIFO or a device fails at once).
            text = SafeFile.ReadAllText(found, AuthConfigLoader.MaxBytes, followLinks: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FunctionException($"cannot read {found}: {SafeFile.Explain(ex)}");
        }

        var extension = Extension(found);
        YamlNode value;
        if (raw || extension is not (".yaml" or ".yml" or ".json" or ".env"))
        {
            if (!raw && extension is ".hcl" or ".tf" or ".tfvars")
            {
                throw new FunctionException("HCL files cannot be included in atmos.yaml by this tool; convert it to YAML or JSON");
            }

            value = Text(scalar, text);
        }
        else if (extension == ".env")
        {
            value = Placed(DotEnv(text), scalar);
        }
        else
        {
            var name = _context.Display(found);
            var tree = ConfigDocument.Parse(text, name, out var problem);
            if (problem is not null)
            {
                throw new FunctionException($"{problem.Location}: {problem.Message}");
            }

            value = tree is null ? Text(scalar, string.Empty) : Plain(tree, name);
        }

        return query is null ? value : Query(value, query);
    }

    private string LocalFile(string target)
    {
        target = PathExpansion.ExpandTilde(target, _context.Environment.TryGetValue("HOME", out var home) ? home : string.Empty) ?? target;
        var candidates = Path.IsPathFullyQualified(target)
            ? [target]
            : new[] { Path.GetFullPath(target, Path.GetDirectoryName(_path) ?? _context.WorkingDirectory), Path.GetFullPath(target, _context.WorkingDirectory) };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FunctionException($"no such file (looked for {string.Join(" and ", candidates.Distinct(StringComparer.Ordinal))})");
    }

    // An included YAML file's tree, with its own merge keys applied and its own places recorded. Functions inside it are
    // not evaluated (atmos parses included files as plain data).
    private YamlNode Plain(YamlNode tree, string file)
    {
        _locations.AddTree(tree, file);
        return StripTags(tree);
    }

    private YamlNode StripTags(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar when ConfigMerge.TagOf(scalar) is { } tag && IsCustom(tag):
                var plain = new YamlScalarNode(scalar.Value) { Style = ScalarStyle.DoubleQuoted };
                _locations.Set(plain, _locations.Of(scalar));
                return plain;
            case YamlMappingNode map:
                var result = new YamlMappingNode();
                _locations.Set(result, _locations.Of(map));
                foreach (var (key, value) in map.Children.Where(c => !IsMergeKey(c.Key)))
                {
                    result.Children[key] = StripTags(value);
                }

                foreach (var source in map.Children.Where(c => IsMergeKey(c.Key)).SelectMany(c => MergeSources(c.Value)))
                {
                    AddMissing(result, source, StripTags);
                }

                return result;
            case YamlSequenceNode list:
                var items = new YamlSequenceNode(list.Children.Select(StripTags));
                _locations.Set(items, _locations.Of(list));
                return items;
            default:
                return node;
        }
    }

    // The subset of yq paths atmos configs use on an include: .key, .key.sub, .list[0], ."quoted key", ["key"].
    private YamlNode Query(YamlNode value, string query)
    {
        var current = value;
        var rest = query.Trim();
        if (!rest.StartsWith('.'))
        {
            throw new FunctionException($"query '{query}' is not supported: use a path such as .key.sub or .list[0]");
        }

        var i = 0;
        while (i < rest.Length)
        {
            string? key = null;
            int? index = null;
            if (rest[i] == '.')
            {
                i++;
                if (i >= rest.Length)
                {
                    break;
                }

                if (rest[i] is '"' or '\'')
                {
                    var close = rest.IndexOf(rest[i], i + 1);
                    if (close < 0)
                    {
                        throw new FunctionException($"query '{query}': unclosed quote");
                    }

                    key = rest[(i + 1)..close];
                    i = close + 1;
                }
                else if (rest[i] != '[')
                {
                    var end = i;
                    while (end < rest.Length && rest[end] is not ('.' or '['))
                    {
                        end++;
                    }

                    key = rest[i..end];
                    i = end;
                    if (key.Length == 0)
                    {
                        throw new FunctionException($"query '{query}' is not supported: use a path such as .key.sub or .list[0]");
                    }
                }
            }

            if (key is null && i < rest.Length && rest[i] == '[')
            {
                var close = rest.IndexOf(']', i);
                if (close < 0)
                {
                    throw new FunctionException($"query '{query}': unclosed [");
                }

                var inside = rest[(i + 1)..close].Trim();
                if (int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    index = n;
                }
                else if (inside.Length >= 2 && inside[0] is '"' or '\'' && inside[^1] == inside[0])
                {
                    key = inside[1..^1];
                }
                else
                {
                    throw new FunctionException($"query '{query}' is not supported: use a path such as .key.sub or .list[0]");
                }

                i = close + 1;
            }
            else if (key is null)
            {
                throw new FunctionException($"query '{query}' is not supported: use a path such as .key.sub or .list[0]");
            }

            current = (key, index, current) switch
            {
                ({ } k, _, YamlMappingNode map) => ConfigMerge.Child(map, k) ?? throw new FunctionException($"query '{query}': no key '{k}'"),
                (_, { } n, YamlSequenceNode list) when n < list.Children.Count => list.Children[n],
                _ => throw new FunctionException($"query '{query}' does not match the file's shape"),
            };
        }

        return current;
    }

    private YamlMappingNode DotEnv(string text)
    {
        var map = new YamlMappingNode();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || equals <= 0)
            {
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            map.Children[new YamlScalarNode(line[..equals].Trim())] = new YamlScalarNode(value) { Style = ScalarStyle.DoubleQuoted };
        }

        return map;
    }

    private static string Random(string argument)
    {
        var words = Words(argument);
        int min = 0, max = 65535;
        if (words.Count > 2
            || (words.Count == 1 && !int.TryParse(words[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out max))
            || (words.Count == 2 && !(int.TryParse(words[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out min) && int.TryParse(words[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out max))))
        {
            throw new FunctionException("takes integers: !random, !random MAX or !random MIN MAX");
        }

        if (min > max)
        {
            throw new FunctionException($"the minimum {min} is above the maximum {max}");
        }

        return RandomNumberGenerator.GetInt32(min, max == int.MaxValue ? max : max + 1).ToString(CultureInfo.InvariantCulture);
    }

    private string GitValue(string fallback, Func<GitRepository, string> read)
    {
        try
        {
            var git = _context.Git ?? throw new FunctionException("the working folder is not inside a Git repository");
            var value = read(git);
            return value.Length > 0 ? value : throw new FunctionException("Git has no value for it");
        }
        catch (FunctionException) when (fallback.Length > 0)
        {
            // atmos's git functions take their argument as the value to use when Git cannot answer.
            return fallback;
        }
    }

    private static (string Host, string Owner, string Name) Remote(GitRepository git)
    {
        var url = git.RemoteUrl() ?? throw new FunctionException("the repository has no remote");
        return GitRepository.ParseRemote(url) ?? throw new FunctionException($"cannot tell the host, owner and name from the remote URL {url}");
    }

    private static string Or(string fallback, string? value, string missing) =>
        value ?? (fallback.Length > 0 ? fallback : throw new FunctionException(missing));

    private YamlScalarNode Text(YamlNode origin, string value)
    {
        var node = new YamlScalarNode(value);
        _locations.Set(node, _locations.Of(origin));
        return node;
    }

    private YamlNode Placed(YamlNode tree, YamlNode origin)
    {
        var place = _locations.Of(origin);
        var pending = new Stack<YamlNode>([tree]);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            _locations.Set(node, place);
            foreach (var child in node switch { YamlMappingNode m => m.Children.SelectMany(p => new[] { p.Key, p.Value }), YamlSequenceNode s => s.Children, _ => [] })
            {
                pending.Push(child);
            }
        }

        return tree;
    }

    private void Fail(YamlNode node, string message)
    {
        _failed.Add(node);
        _problems.Add(ConfigProblem.Error(_locations.Of(node), message) with { Principals = EntryOfPath() });
    }

    // A failure inside one provider's or identity's settings (auth.providers.<name>…, auth.identities.<name>…) is about
    // that entry alone: it blocks only it (and what chains through it), and the rest of the config still logs out.
    private IReadOnlyList<string> EntryOfPath() =>
        _keys is [var auth, var section, { Length: > 0 } name, ..] && auth.Equals("auth", StringComparison.OrdinalIgnoreCase)
        && (section.Equals("providers", StringComparison.OrdinalIgnoreCase) || section.Equals("identities", StringComparison.OrdinalIgnoreCase)) ? [name] : [];

    private static bool IsCustom(string tag) => tag.StartsWith('!') && !tag.StartsWith("!!", StringComparison.Ordinal);

    private static string Extension(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name.StartsWith(".env", StringComparison.Ordinal) || name.EndsWith(".env", StringComparison.Ordinal) ? ".env" : Path.GetExtension(name);
    }

    private static string UnquoteJson(string text)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<string>(text) ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    // !include's arguments: the path (one word, possibly quoted) and the rest of the text as the query.
    private static (string Path, string? Query) PathAndQuery(string argument)
    {
        var words = Words(argument);
        if (words.Count == 0)
        {
            throw new FunctionException("needs a file: !include <path> [query]");
        }

        if (words.Count == 1)
        {
            return (words[0], null);
        }

        // The path ends at the first unquoted whitespace after it (a quoted path ends at its closing quote).
        var end = argument[0] is '"' or '\'' ? argument.IndexOf(argument[0], 1) + 1 : argument.IndexOfAny([' ', '\t']);
        var query = argument[end..].Trim();
        if (query.Length >= 2 && query[0] is '"' or '\'' && query[^1] == query[0])
        {
            query = query[1..^1];
        }

        return (words[0], query);
    }

    // Arguments as atmos's function parser splits them: whitespace-separated words, '…' or "…" quoting (a doubled
    // quote inside stands for one).
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            if (text[i] is '"' or '\'')
            {
                var quote = text[i];
                var word = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FunctionException("unterminated quoted value");
                    }

                    if (text[i] == quote)
                    {
                        if (i + 1 < text.Length && text[i + 1] == quote)
                        {
                            word.Append(quote);
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    word.Append(text[i++]);
                }

                words.Add(word.ToString());
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            words.Add(text[start..i]);
        }

        return words;
    }

    private sealed class FunctionException(string message) : Exception(message);
}
