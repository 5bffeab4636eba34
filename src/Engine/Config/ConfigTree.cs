using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// Where each node of a configuration tree was written. A tree merged from several files mixes their nodes, and a
/// YAML function's result is a node no file holds: both are recorded here, so every problem names its real file, line
/// and column. Nodes not recorded belong to <see cref="DefaultFile"/> (the one file of a config without imports, which
/// then costs no bookkeeping at all).
/// </summary>
public sealed class ConfigLocations
{
    private readonly Dictionary<YamlNode, SourceLocation> _at = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates an empty table.</summary>
    /// <param name="defaultFile">The file of nodes not recorded, or null when every node is recorded.</param>
    public ConfigLocations(string? defaultFile) => DefaultFile = defaultFile;

    /// <summary>The file of nodes not recorded.</summary>
    public string? DefaultFile { get; set; }

    /// <summary>Records every node of a file's tree (a node already recorded keeps its first place).</summary>
    /// <param name="root">The tree.</param>
    /// <param name="file">The file's display name.</param>
    public void AddTree(YamlNode root, string file)
    {
        var pending = new Stack<YamlNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!_at.TryAdd(node, At(file, node.Start)))
            {
                continue;
            }

            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        pending.Push(key);
                        pending.Push(value);
                    }

                    break;
                case YamlSequenceNode list:
                    foreach (var child in list.Children)
                    {
                        pending.Push(child);
                    }

                    break;
            }
        }
    }

    /// <summary>Records one node's place (a function's result takes the place of the function).</summary>
    /// <param name="node">The node.</param>
    /// <param name="location">Where it counts as written.</param>
    public void Set(YamlNode node, SourceLocation location) => _at[node] = location;

    /// <summary>Where a node was written.</summary>
    /// <param name="node">A node of the tree.</param>
    public SourceLocation Of(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _at.TryGetValue(node, out var location) ? location : At(DefaultFile ?? "atmos.yaml", node.Start);
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);
}

/// <summary>
/// The deep merge atmos applies between config files (Viper's <c>MergeConfig</c>): mappings merge key by key, keys
/// compared case-insensitively (Viper lower-cases every key); anything else is replaced by the later file. Two atmos
/// YAML functions act here: a key whose value is <c>!unset</c> removes the key from what was merged before, and a
/// list tagged <c>!append</c> is appended to the list merged before instead of replacing it.
/// </summary>
public static class ConfigMerge
{
    /// <summary>The tag that removes a key.</summary>
    public const string Unset = "!unset";

    /// <summary>The tag that appends a list.</summary>
    public const string Append = "!append";

    /// <summary>
    /// <paramref name="source"/> merged over <paramref name="target"/>, as a new mapping (neither input changes). With no
    /// target and no directives in the source, the source itself.
    /// </summary>
    /// <param name="target">What was merged so far, or null.</param>
    /// <param name="source">The file (or group) merged on top.</param>
    /// <param name="locations">Where new mappings count as written (the source mapping's place).</param>
    /// <param name="hasDirectives">Whether <paramref name="source"/> may hold <c>!unset</c> or <c>!append</c>.</param>
    public static YamlMappingNode Merge(YamlMappingNode? target, YamlMappingNode source, ConfigLocations locations, bool hasDirectives = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(locations);
        if (target is null && !hasDirectives)
        {
            return source;
        }

        var result = new YamlMappingNode();
        locations.Set(result, locations.Of(source));
        if (target is not null)
        {
            foreach (var (key, value) in target.Children)
            {
                result.Children.Add(key, value);
            }
        }

        // Keys of the target match the source's ignoring case; keys within one file stay as distinct as the file wrote
        // them (two that differ only in case are reported, not silently folded, by the readers).
        var index = KeyIndex.For(result);
        foreach (var (key, value) in source.Children)
        {
            var existing = result.Children.ContainsKey(key) ? key : index.Find(key);
            if (IsUnset(value))
            {
                if (existing is not null)
                {
                    result.Children.Remove(existing);
                    index.Remove(existing);
                }

                continue;
            }

            var previous = existing is null ? null : result.Children[existing];
            var merged = (previous, value) switch
            {
                (YamlMappingNode before, YamlMappingNode after) => Merge(before, after, locations, hasDirectives),
                (_, YamlSequenceNode list) when IsAppend(list) => Appended(previous as YamlSequenceNode, list, locations),
                _ => hasDirectives ? Clean(value, locations) : value,
            };
            Put(result, index, existing, key, merged);
        }

        return result;
    }

    /// <summary>A tree with its directives applied to nothing: <c>!unset</c> keys dropped, <c>!append</c> lists kept as lists.</summary>
    /// <param name="node">The tree.</param>
    /// <param name="locations">The location table.</param>
    public static YamlNode Clean(YamlNode node, ConfigLocations locations) => node switch
    {
        YamlMappingNode map => Merge(null, map, locations),
        YamlSequenceNode list when IsAppend(list) || list.Children.Any(c => c is YamlMappingNode or YamlSequenceNode) => Appended(null, list, locations),
        _ => node,
    };

    /// <summary>Whether a value is the <c>!unset</c> directive.</summary>
    /// <param name="node">The value.</param>
    public static bool IsUnset(YamlNode node) => node is YamlScalarNode && TagOf(node) == Unset;

    /// <summary>Whether a list carries the <c>!append</c> directive.</summary>
    /// <param name="node">The list.</param>
    public static bool IsAppend(YamlNode node) => node is YamlSequenceNode && TagOf(node) == Append;

    /// <summary>A node's explicit tag (<c>!env</c>, <c>!!str</c>), or null for none or the non-specific <c>!</c> / <c>?</c>.</summary>
    /// <param name="node">The node.</param>
    public static string? TagOf(YamlNode node) =>
        node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;

    /// <summary>The value of a key, matched as atmos matches keys (case-insensitively), or null.</summary>
    /// <param name="node">A mapping (anything else has no keys).</param>
    /// <param name="key">The key.</param>
    public static YamlNode? Child(YamlNode? node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            return null;
        }

        if (map.Children.TryGetValue(new YamlScalarNode(key), out var exact))
        {
            return exact;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }

    private static YamlSequenceNode Appended(YamlSequenceNode? before, YamlSequenceNode after, ConfigLocations locations)
    {
        var result = new YamlSequenceNode();
        locations.Set(result, locations.Of(after));
        foreach (var item in before?.Children ?? [])
        {
            result.Children.Add(item);
        }

        foreach (var item in after.Children)
        {
            result.Children.Add(Clean(item, locations));
        }

        return result;
    }

    // The later key node takes the earlier one's place in the order: messages about a merged entry then point at the
    // file that had the last word on it.
    private static void Put(YamlMappingNode map, KeyIndex index, YamlNode? existing, YamlNode key, YamlNode value)
    {
        if (existing is null)
        {
            map.Children.Add(key, value);
            return;
        }

        if (ReferenceEquals(existing, key) || existing.Equals(key))
        {
            map.Children[existing] = value;
            index.Remove(existing);
            return;
        }

        var position = 0;
        foreach (var k in map.Children.Keys)
        {
            if (ReferenceEquals(k, existing))
            {
                break;
            }

            position++;
        }

        map.Children.RemoveAt(position);
        map.Children.Insert(position, key, value);
        index.Remove(existing);
    }

    // Keys of one mapping by name, ignoring case: merging two 1,000-provider files stays linear.
    private sealed class KeyIndex
    {
        private readonly Dictionary<string, YamlNode> _byName = new(StringComparer.OrdinalIgnoreCase);

        public static KeyIndex For(YamlMappingNode map)
        {
            var index = new KeyIndex();
            foreach (var key in map.Children.Keys)
            {
                index.Add(key);
            }

            return index;
        }

        public YamlNode? Find(YamlNode key) =>
            key is YamlScalarNode { Value: { } name } && _byName.TryGetValue(name, out var found) ? found : null;

        // The first of several target keys equal but for case is the one matched.
        public void Add(YamlNode key)
        {
            if (key is YamlScalarNode { Value: { } name })
            {
                _byName.TryAdd(name, key);
            }
        }

        public void Remove(YamlNode key)
        {
            if (key is YamlScalarNode { Value: { } name } && _byName.TryGetValue(name, out var indexed) && ReferenceEquals(indexed, key))
            {
                _byName.Remove(name);
            }
        }
    }
}
