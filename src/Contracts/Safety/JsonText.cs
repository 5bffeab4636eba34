using System.Text.Json;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// One member of a JSON object or one element of a JSON array, as <see cref="JsonText.RemoveWhere"/> offers it.
/// </summary>
/// <param name="Parent">
/// Where its object or array is, as a JSON Pointer (RFC 6901): <c>""</c> for the document's root, <c>"/auths"</c> for
/// the object under the root's <c>auths</c>, <c>"/cookies"</c>, <c>"/a~1b/0"</c> (a <c>/</c> in a name is <c>~1</c>, a
/// <c>~</c> is <c>~0</c>).
/// </param>
/// <param name="Name">The member's name, or null for an array element.</param>
/// <param name="Index">Its position among its parent's members or elements (from 0).</param>
/// <param name="Value">Its value, to decide on (valid until the editor is used again).</param>
public readonly record struct JsonItem(string Parent, string? Name, int Index, JsonElement Value);

/// <summary>
/// A JSON document edited as text: removing members and elements keeps every other byte as it was (indentation, key
/// order, number spelling, escapes, a BOM, CRLF, the final newline). For files other tools own and read back, such as
/// the Docker CLI's <c>config.json</c> (whose <c>credsStore</c>, <c>credHelpers</c> and proxies must survive exactly),
/// where <see cref="JsonFile"/>'s re-serialised tree would rewrite the whole file.
/// </summary>
/// <remarks>
/// The rule (docs/decisions.md §13): an object's members and an array's elements are items separated by commas; removing
/// items keeps the white space after the opening bracket, each kept item with the separator that stood before it (the
/// first kept item without one), and the white space before the closing bracket. So an item goes with the comma before
/// it, and the first item with the comma after it. A container left empty becomes <c>{}</c> or <c>[]</c>.
/// </remarks>
public sealed class JsonText
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly byte[] _content;
    private readonly Node _root;
    private readonly JsonDocument _document;

    private JsonText(byte[] content, Node root, JsonDocument document)
    {
        _content = content;
        _root = root;
        _document = document;
    }

    /// <summary>The document's root, for reading.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Parses JSON bytes (with or without a BOM), checked as <see cref="JsonFile.Parse"/> checks them.</summary>
    /// <param name="content">The bytes.</param>
    /// <param name="path">For error messages.</param>
    /// <exception cref="MalformedFileException">The content is not JSON, or an object has the same member twice.</exception>
    public static JsonText Parse(byte[] content, string path = "")
    {
        ArgumentNullException.ThrowIfNull(content);
        JsonFile.Parse(content, path); // the same refusals, with the line, as every other JSON edit
        var start = content.AsSpan().StartsWith(Bom) ? Bom.Length : 0;
        var reader = new Utf8JsonReader(content.AsSpan(start), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();
        var root = ReadNode(ref reader, start);
        return new JsonText(content, root, JsonDocument.Parse(content.AsMemory(start)));
    }

    /// <summary>
    /// Removes every member and element <paramref name="select"/> picks. Parents are offered before their members and
    /// elements; the members and elements of a removed item are not offered.
    /// </summary>
    /// <param name="select">Decides for each member and element whether it goes.</param>
    /// <param name="removed">How many items were removed.</param>
    /// <returns>The new content, or <see cref="FileEdit.Unchanged"/> when nothing was picked.</returns>
    public FileEdit RemoveWhere(Func<JsonItem, bool> select, out int removed)
    {
        ArgumentNullException.ThrowIfNull(select);
        var drop = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        Pick(_root, _document.RootElement, string.Empty, select, drop);
        removed = drop.Count;
        if (removed == 0)
        {
            return FileEdit.Unchanged;
        }

        var output = new List<byte>(_content.Length);
        var at = 0;
        Emit(_root, drop, output, ref at);
        output.AddRange(_content.AsSpan(at));
        return FileEdit.Replace([.. output]);
    }

    /// <summary>
    /// Edits a JSON file inside <paramref name="baseFolder"/> under its lock (<see cref="AtomicFile"/>): removes what
    /// <paramref name="select"/> picks, keeping every other byte. The file is never deleted, even when left empty.
    /// </summary>
    /// <param name="baseFolder">The folder the edit must stay in.</param>
    /// <param name="path">The file.</param>
    /// <param name="select">Decides for each member and element whether it goes.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    /// <returns>What happened to the file.</returns>
    /// <exception cref="MalformedFileException">The file is not JSON; it is left untouched.</exception>
    public static EditOutcome Edit(string baseFolder, string path, Func<JsonItem, bool> select, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        return AtomicFile.Edit(baseFolder, path, bytes => Parse(bytes, path).RemoveWhere(select, out _), lockTimeout, cancellationToken);
    }

    /// <summary>A name as a JSON Pointer segment (RFC 6901): <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</summary>
    /// <param name="name">A member name or an array index.</param>
    public static string PointerSegment(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }

    private static void Pick(Node node, JsonElement element, string pointer, Func<JsonItem, bool> select, HashSet<Node> drop)
    {
        if (node.Items is null)
        {
            return;
        }

        var index = 0;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                var item = node.Items[index];
                if (select(new JsonItem(pointer, member.Name, index, member.Value)))
                {
                    drop.Add(item);
                }
                else
                {
                    Pick(item.Value!, member.Value, pointer + "/" + PointerSegment(member.Name), select, drop);
                }

                index++;
            }
        }
        else
        {
            foreach (var value in element.EnumerateArray())
            {
                var item = node.Items[index];
                if (select(new JsonItem(pointer, null, index, value)))
                {
                    drop.Add(item);
                }
                else
                {
                    Pick(item.Value!, value, pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), select, drop);
                }

                index++;
            }
        }
    }

    // Writes the node's bytes from `at` on into output, leaving out dropped items by the rule in the remarks.
    private void Emit(Node node, HashSet<Node> drop, List<byte> output, ref int at)
    {
        if (node.Items is null || node.Items.Count == 0)
        {
            return;
        }

        var kept = node.Items.Where(i => !drop.Contains(i)).ToList();
        if (kept.Count == 0)
        {
            // Nothing left: the brackets close up ("{}" or "[]").
            output.AddRange(_content.AsSpan(at, node.Start + 1 - at));
            at = node.End - 1;
            return;
        }

        var first = true;
        for (var index = 0; index < node.Items.Count; index++)
        {
            var item = node.Items[index];
            if (drop.Contains(item))
            {
                continue;
            }

            // Up to the item: the opening bracket and the white space after it for the first kept item, the separator that
            // stood before it (comma and white space) for the others.
            var gapStart = first ? at : node.Items[index - 1].End;
            var gapEnd = first ? node.Items[0].Start : item.Start;
            output.AddRange(_content.AsSpan(gapStart, gapEnd - gapStart));
            at = item.Start;
            if (item.Value is { } value && value != item)
            {
                output.AddRange(_content.AsSpan(at, value.Start - at)); // a member's name and colon
                at = value.Start;
                Emit(value, drop, output, ref at);
            }
            else
            {
                Emit(item, drop, output, ref at);
            }

            output.AddRange(_content.AsSpan(at, item.End - at));
            at = item.End;
            first = false;
        }

        // The white space before the closing bracket (after the last original item).
        at = node.Items[^1].End;
    }

    // A value (with its items, for an object or array) or an object member (its name through its value), by byte offsets
    // into the whole content. For a member, Value is the member's value; for a value, Value is the node itself.
    private sealed class Node(int start)
    {
        public int Start { get; } = start;

        public int End { get; set; }

        public Node? Value { get; set; }

        public List<Node>? Items { get; set; }
    }

    private static Node ReadNode(ref Utf8JsonReader reader, int offset)
    {
        var node = new Node(offset + (int)reader.TokenStartIndex);
        node.Value = node;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                node.Items = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var member = new Node(offset + (int)reader.TokenStartIndex);
                    reader.Read();
                    member.Value = ReadNode(ref reader, offset);
                    member.End = member.Value.End;
                    node.Items.Add(member);
                }

                break;
            case JsonTokenType.StartArray:
                node.Items = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadNode(ref reader, offset));
                }

                break;
        }

        node.End = offset + (int)reader.BytesConsumed;
        return node;
    }
}
