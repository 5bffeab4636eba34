using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// A generated JSON value with its exact layout: every bracket's inner white space, every separator (white space, comma,
/// white space) and every member's spacing around the colon are part of the case, so a file is written byte for byte
/// from the structure and the expected result of a removal is computed from the structure too, never by parsing.
/// </summary>
public abstract record LaidOutJson
{
    /// <summary>A number, literal or string, written as is.</summary>
    public sealed record Raw(string Text) : LaidOutJson;

    /// <summary>An object or array: its items, the white space after the opening bracket and before the closing one.</summary>
    public sealed record Container(bool IsObject, string Leading, IReadOnlyList<LaidOutItem> Items, string Trailing) : LaidOutJson;

    public string Write() => Write(this, removeMarked: false);

    /// <summary>The value after removing every marked item under the rule of docs/decisions.md §13.</summary>
    public string WriteWithoutMarked() => Write(this, removeMarked: true);

    private static string Write(LaidOutJson value, bool removeMarked)
    {
        switch (value)
        {
            case Raw raw:
                return raw.Text;
            case Container container:
                var (open, close) = container.IsObject ? ("{", "}") : ("[", "]");
                var kept = container.Items.Where(i => !(removeMarked && i.Remove)).ToList();
                if (container.Items.Count == 0)
                {
                    return open + container.Leading + close;
                }

                if (kept.Count == 0)
                {
                    return open + close; // emptied: the brackets close up
                }

                var text = new StringBuilder(open).Append(container.Leading);
                for (var i = 0; i < kept.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(kept[i].SeparatorBefore);
                    }

                    text.Append(kept[i].Write(removeMarked));
                }

                return text.Append(container.Trailing).Append(close).ToString();
            default:
                throw new InvalidOperationException();
        }
    }

    internal static string WriteItem(LaidOutItem item, bool removeMarked) =>
        (item.Key is null ? string.Empty : item.Key + item.AroundColon) + Write(item.Value, removeMarked);
}

/// <summary>
/// A member (with <see cref="Key"/>, its quoted name as written) or an element; <see cref="SeparatorBefore"/> is what
/// stands between it and the item before it (comma and white space; unused for the first item); <see cref="Remove"/>
/// marks it for removal.
/// </summary>
public sealed record LaidOutItem(string? Key, string AroundColon, LaidOutJson Value, string SeparatorBefore, bool Remove)
{
    public string Write(bool removeMarked) => LaidOutJson.WriteItem(this, removeMarked);
}

/// <summary>A generated document: optional BOM, white space around the root, the root container.</summary>
public sealed record JsonTextCase(bool Bom, string Before, LaidOutJson.Container Root, string After)
{
    public byte[] Bytes => Encode(Before + Root.Write() + After);

    public byte[] Expected => Encode(Before + Root.WriteWithoutMarked() + After);

    /// <summary>Whether the item at (parent pointer, index) is marked, for the editor's selector.</summary>
    public bool IsMarked(string parent, int index) => Marks.TryGetValue((parent, index), out var marked) && marked;

    public int MarkedCount => CountMarked(Root);

    private Dictionary<(string Parent, int Index), bool> Marks
    {
        get
        {
            var marks = new Dictionary<(string, int), bool>();
            Collect(Root, string.Empty, marks);
            return marks;
        }
    }

    public override string ToString() => $"BOM {Bom}:\n{Encoding.UTF8.GetString(Bytes)}\nmarked: {string.Join(", ", Marks.Where(m => m.Value).Select(m => $"{m.Key.Parent}[{m.Key.Index}]"))}";

    private byte[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    // Items inside a removed item are never offered, so they are neither collected nor counted.
    private static void Collect(LaidOutJson.Container container, string pointer, Dictionary<(string, int), bool> marks)
    {
        for (var i = 0; i < container.Items.Count; i++)
        {
            var item = container.Items[i];
            marks[(pointer, i)] = item.Remove;
            if (!item.Remove && item.Value is LaidOutJson.Container inner)
            {
                var segment = item.Key is null ? i.ToString(CultureInfo.InvariantCulture) : JsonTextCases.Unquote(item.Key).Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                Collect(inner, pointer + "/" + segment, marks);
            }
        }
    }

    private static int CountMarked(LaidOutJson.Container container) =>
        container.Items.Sum(i => i.Remove ? 1 : i.Value is LaidOutJson.Container inner ? CountMarked(inner) : 0);
}

/// <summary>FsCheck generators of JSON documents in arbitrary (valid) layouts with items marked for removal.</summary>
public static class JsonTextCases
{
    // Member names as written: plain, escaped, with the JSON Pointer's special characters.
    private static readonly string[] Keys = ["\"auths\"", "\"https://index.docker.io/v1/\"", "\"111111111111.dkr.ecr.us-east-1.amazonaws.com\"", "\"a/b\"", "\"t~x\"", "\"\\u0041\"", "\"日本\"", "\"credsStore\"", "\"\"", "\"k\\\"q\""];
    private static readonly string[] Scalars = ["0", "-1.5e3", "12345678901234567890", "true", "false", "null", "\"\"", "\"abc\"", "\"line\\nbreak\"", "\"\\u00e9\\ud83d\\ude00\"", "\"é 日本\"", "\"x\\/y\""];
    private static readonly string[] Spaces = ["", " ", "\n", "\r\n", "\n  ", "\n\t\t", "  ", "\r\n    "];

    public static Gen<JsonTextCase> Documents { get; } =
        from bom in Gen.Elements(false, true)
        from before in Gen.Elements(Spaces)
        from root in Container(3)
        from after in Gen.Elements(Spaces)
        select new JsonTextCase(bom, before, root, after);

    /// <summary>The member name of a quoted key as the generator writes keys (only the escapes it uses).</summary>
    public static string Unquote(string key) => System.Text.Json.JsonSerializer.Deserialize<string>(key)!;

    private static Gen<string> Separator { get; } =
        from before in Gen.Elements(Spaces)
        from after in Gen.Elements(Spaces)
        select before + "," + after;

    private static Gen<LaidOutJson.Container> Container(int depth) =>
        from isObject in Gen.Elements(true, false)
        from leading in Gen.Elements(Spaces)
        from trailing in Gen.Elements(Spaces)
        from count in Gen.Choose(0, 4)
        from keys in Gen.Shuffle(Keys).Select(k => k.Take(count).ToList())
        from values in Gen.ArrayOf(Value(depth - 1), count)
        from separators in Gen.ArrayOf(Separator, count)
        from colons in Gen.ArrayOf(Gen.Elements(":", " : ", ":\n ", ": "), count)
        from marks in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true))), count)
        select new LaidOutJson.Container(
            isObject,
            leading,
            Enumerable.Range(0, count).Select(i => new LaidOutItem(isObject ? keys[i] : null, colons[i], values[i], separators[i], marks[i])).ToList(),
            trailing);

    private static Gen<LaidOutJson> Value(int depth) => depth <= 0
        ? Gen.Elements(Scalars).Select(s => (LaidOutJson)new LaidOutJson.Raw(s))
        : Gen.Frequency(
            (2, Gen.Elements(Scalars).Select(s => (LaidOutJson)new LaidOutJson.Raw(s))),
            (1, Container(depth).Select(c => (LaidOutJson)c)));
}
