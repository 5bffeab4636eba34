using System.Text;
using Atmos.Plugins.Contracts.Safety;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Integrations;

/// <summary>A named entry of a kubeconfig list: a cluster, a context (with the cluster and user it names) or a user.</summary>
/// <param name="Name">Its <c>name</c>.</param>
/// <param name="Cluster">For a context: <c>context.cluster</c>.</param>
/// <param name="User">For a context: <c>context.user</c>.</param>
internal sealed record KubeEntry(string Name, string? Cluster = null, string? User = null);

/// <summary>
/// A kubeconfig (<c>apiVersion: v1, kind: Config</c>) edited as text: removing clusters, contexts and users keeps every
/// other byte (comments, key order, quoting, indentation, CRLF), and clears <c>current-context</c> when it names a
/// removed context, as atmos does. YamlDotNet reads the structure and where each entry is; the text is cut there.
/// </summary>
/// <remarks>
/// The rule (docs/decisions.md §13), the YAML twin of the INI one (§6): an entry of a block list runs from the line of its
/// <c>-</c> to the line before the next entry's <c>-</c>, except that a run of comment lines right before the next entry
/// (and the blank lines after them) stays with that entry; the last entry ends with the line of its last value, so
/// comments after it stay. A list left empty is written <c>key: []</c>. When no cluster, context or user is left the file
/// is deleted (atmos's <c>RemoveClusterConfig</c>). A list in flow style (<c>[...]</c>), aliases, more than one document,
/// or text that is not a kubeconfig are refused (<see cref="MalformedFileException"/>); the file is left untouched. Every
/// result is read back and checked before it is used.
/// </remarks>
internal sealed class KubeconfigDocument
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private static readonly string[] Lists = ["clusters", "contexts", "users"];

    private readonly string _text;
    private readonly bool _bom;
    private readonly string _path;
    private readonly YamlMappingNode _root;
    private readonly bool _hasAliases;

    private KubeconfigDocument(string text, bool bom, string path, YamlMappingNode root, bool hasAliases)
    {
        _text = text;
        _bom = bom;
        _path = path;
        _root = root;
        _hasAliases = hasAliases;
    }

    public IReadOnlyList<KubeEntry> Clusters => Entries("clusters");

    public IReadOnlyList<KubeEntry> Contexts => Entries("contexts");

    public IReadOnlyList<KubeEntry> Users => Entries("users");

    /// <summary><c>current-context</c>, or null when unset or empty.</summary>
    public string? CurrentContext => Child(_root, "current-context") is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    /// <summary>Reads a kubeconfig.</summary>
    /// <exception cref="MalformedFileException">It is not YAML, not one document, or not a mapping.</exception>
    public static KubeconfigDocument Parse(byte[] content, string path)
    {
        ArgumentNullException.ThrowIfNull(content);
        var bom = content.AsSpan().StartsWith(Bom);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content, bom ? Bom.Length : 0, content.Length - (bom ? Bom.Length : 0));
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedFileException(path, 0, "is not UTF-8 text (a kubeconfig is YAML)");
        }

        var stream = new YamlStream();
        var hasAliases = false;
        try
        {
            var parser = new Parser(new StringReader(text));
            var events = new List<YamlDotNet.Core.Events.ParsingEvent>();
            while (parser.MoveNext())
            {
                events.Add(parser.Current!);
                hasAliases |= parser.Current is YamlDotNet.Core.Events.AnchorAlias;
            }

            stream.Load(new Replay(events));
        }
        catch (YamlException ex)
        {
            throw new MalformedFileException(path, (int)ex.Start.Line, "is not valid YAML");
        }

        if (stream.Documents.Count != 1)
        {
            throw new MalformedFileException(path, 0, stream.Documents.Count == 0 ? "is empty, not a kubeconfig" : "holds more than one YAML document, not one kubeconfig");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new MalformedFileException(path, (int)stream.Documents[0].RootNode.Start.Line, "is not a kubeconfig (its top level is not a mapping)");
        }

        foreach (var list in Lists)
        {
            if (Child(root, list) is { } node && node is not YamlSequenceNode && !IsNull(node))
            {
                throw new MalformedFileException(path, (int)node.Start.Line, $"has a '{list}' that is not a list");
            }
        }

        return new KubeconfigDocument(text, bom, path, root, hasAliases);
    }

    /// <summary>
    /// Removes the named clusters, contexts and users; clears <c>current-context</c> when it names a removed context.
    /// </summary>
    /// <returns>The new content; <see cref="FileEdit.Delete"/> when no cluster, context or user is left;
    /// <see cref="FileEdit.Unchanged"/> when none of them is there.</returns>
    /// <exception cref="MalformedFileException">An entry to remove is in a form this editor does not cut (see the remarks).</exception>
    public FileEdit Remove(IReadOnlySet<string> clusters, IReadOnlySet<string> contexts, IReadOnlySet<string> users)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(users);
        var names = new Dictionary<string, IReadOnlySet<string>> { ["clusters"] = clusters, ["contexts"] = contexts, ["users"] = users };
        var edits = new List<(int Start, int End, string Text)>();
        var left = 0;
        var removedAny = false;
        foreach (var list in Lists)
        {
            if (Child(_root, list) is not YamlSequenceNode sequence)
            {
                continue;
            }

            var drop = sequence.Children.Select(item => NameOf(item) is { } name && names[list].Contains(name)).ToList();
            left += drop.Count(d => !d);
            if (!drop.Contains(true))
            {
                continue;
            }

            removedAny = true;
            if (sequence.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
            {
                throw new MalformedFileException(_path, (int)sequence.Start.Line, $"writes '{list}' in flow style ([...]), which logout does not edit; left untouched, remove the entries by hand");
            }

            if (_hasAliases)
            {
                throw new MalformedFileException(_path, (int)sequence.Start.Line, "uses YAML aliases (*name), which logout does not edit; left untouched, remove the entries by hand");
            }

            edits.AddRange(Cuts(list, sequence, drop));
        }

        if (!removedAny)
        {
            return FileEdit.Unchanged;
        }

        if (left == 0)
        {
            return FileEdit.Delete;
        }

        if (Child(_root, "current-context") is YamlScalarNode { Value: { Length: > 0 } current } currentNode && contexts.Contains(current))
        {
            edits.Add(((int)currentNode.Start.Index, (int)currentNode.End.Index, "\"\""));
        }

        var text = new StringBuilder(_text);
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
        {
            text.Remove(start, end - start).Insert(start, replacement);
        }

        var result = text.ToString();
        Check(result, clusters, contexts, users);
        var bytes = Encoding.UTF8.GetBytes(result);
        return FileEdit.Replace(_bom ? [.. Bom, .. bytes] : bytes);
    }

    // The cuts for one list: each dropped entry's region, or the whole list when none is left (then "key: []").
    private IEnumerable<(int Start, int End, string Text)> Cuts(string list, YamlSequenceNode sequence, List<bool> drop)
    {
        var items = sequence.Children;
        var starts = items.Select(DashLineStart).ToList();
        if (!drop.Contains(false))
        {
            var key = _root.Children.Keys.OfType<YamlScalarNode>().First(k => k.Value == list);
            var colon = _text.IndexOf(':', (int)key.End.Index);
            yield return (colon + 1, colon + 1, " []");
            yield return (starts[0], LineEndAfter(LastContentEnd(items[^1])), string.Empty);
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (!drop[i])
            {
                continue;
            }

            var end = i + 1 < items.Count ? KeepLeadingComments(LineEndAfter(LastContentEnd(items[i])), starts[i + 1]) : LineEndAfter(LastContentEnd(items[i]));
            yield return (starts[i], end, string.Empty);
        }
    }

    // The start of the line holding an entry's "-" (its node starts after "- "; the "-" may stand alone on a line above).
    private int DashLineStart(YamlNode item)
    {
        var at = (int)item.Start.Index - 1;
        while (at >= 0 && _text[at] is ' ' or '\t' or '\r' or '\n')
        {
            at--;
        }

        if (at < 0 || _text[at] != '-')
        {
            throw new MalformedFileException(_path, (int)item.Start.Line, "has a list entry logout cannot find the start of; left untouched");
        }

        var lineStart = _text.LastIndexOf('\n', at) + 1;
        if (_text.AsSpan(lineStart, at - lineStart).Trim(" \t").Length != 0)
        {
            throw new MalformedFileException(_path, (int)item.Start.Line, "has a list entry that does not start its own line; left untouched");
        }

        return lineStart;
    }

    // Between the end of a removed entry and the next entry's "-": a run of comments right before the next entry (and the
    // blank lines after it) stays; blank lines before that run go with the removed entry.
    private int KeepLeadingComments(int from, int nextStart)
    {
        var keepFrom = nextStart;
        var lineStart = from;
        while (lineStart < nextStart)
        {
            var lineEnd = _text.IndexOf('\n', lineStart) is var n and >= 0 && n < nextStart ? n + 1 : nextStart;
            var line = _text.AsSpan(lineStart, lineEnd - lineStart).Trim(" \t\r\n");
            if (line.Length > 0 && line[0] == '#')
            {
                if (keepFrom == nextStart)
                {
                    keepFrom = lineStart;
                }
            }
            else if (line.Length > 0)
            {
                throw new MalformedFileException(_path, 0, "has text between two list entries that is neither a comment nor blank; left untouched");
            }

            lineStart = lineEnd;
        }

        return keepFrom;
    }

    private int LineEndAfter(int index)
    {
        var newline = _text.IndexOf('\n', Math.Max(index - 1, 0));
        return newline < 0 ? _text.Length : newline + 1;
    }

    // Where the last value of a node ends (a block mapping's or list's own end mark points at the next token).
    private static int LastContentEnd(YamlNode node) => node switch
    {
        YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Flow } => (int)node.End.Index,
        YamlSequenceNode { Style: YamlDotNet.Core.Events.SequenceStyle.Flow } => (int)node.End.Index,
        YamlMappingNode map => map.Children.Count == 0 ? (int)node.End.Index : map.Children.Max(p => Math.Max(LastContentEnd(p.Key), LastContentEnd(p.Value))),
        YamlSequenceNode list => list.Children.Count == 0 ? (int)node.End.Index : list.Children.Max(LastContentEnd),
        _ => (int)node.End.Index,
    };

    // The result must read back as a kubeconfig with exactly the expected entries: a cut in the wrong place never reaches
    // the disk.
    private void Check(string result, IReadOnlySet<string> clusters, IReadOnlySet<string> contexts, IReadOnlySet<string> users)
    {
        KubeconfigDocument after;
        try
        {
            after = Parse(Encoding.UTF8.GetBytes(result), _path);
        }
        catch (MalformedFileException)
        {
            throw new MalformedFileException(_path, 0, "cannot be edited without breaking its YAML; left untouched, remove the entries by hand");
        }

        var expected = (Clusters.Where(e => !clusters.Contains(e.Name)), Contexts.Where(e => !contexts.Contains(e.Name)), Users.Where(e => !users.Contains(e.Name)));
        var expectedCurrent = CurrentContext is { } current && contexts.Contains(current) ? null : CurrentContext;
        if (!after.Clusters.SequenceEqual(expected.Item1) || !after.Contexts.SequenceEqual(expected.Item2) || !after.Users.SequenceEqual(expected.Item3) || after.CurrentContext != expectedCurrent)
        {
            throw new MalformedFileException(_path, 0, "cannot be edited without changing other entries; left untouched, remove the entries by hand");
        }
    }

    private List<KubeEntry> Entries(string list) =>
        Child(_root, list) is YamlSequenceNode sequence
            ? sequence.Children.Select(item => NameOf(item) is { } name
                ? new KubeEntry(name, Scalar(Child(Child(item, "context"), "cluster")), Scalar(Child(Child(item, "context"), "user")))
                : null).OfType<KubeEntry>().ToList()
            : [];

    private static string? NameOf(YamlNode item) => Scalar(Child(item, "name"));

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { } value } && !IsNull(node) ? value : null;

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    // Replays events already read (to note aliases on the way), for YamlStream.Load.
    private sealed class Replay(List<YamlDotNet.Core.Events.ParsingEvent> events) : IParser
    {
        private int _next;

        public YamlDotNet.Core.Events.ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            Current = _next < events.Count ? events[_next++] : null;
            return Current is not null;
        }
    }
}
