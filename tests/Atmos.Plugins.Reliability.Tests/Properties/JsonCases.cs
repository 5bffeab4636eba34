using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>A generated JSON value, written by <see cref="JsonStyle"/> without System.Text.Json.</summary>
public abstract record JsonValueCase
{
    public sealed record Object(IReadOnlyList<KeyValuePair<string, JsonValueCase>> Members) : JsonValueCase;

    public sealed record Array(IReadOnlyList<JsonValueCase> Items) : JsonValueCase;

    public sealed record Literal(string Raw) : JsonValueCase; // numbers, true, false, null: written as is

    public sealed record String(string Value) : JsonValueCase;
}

/// <summary>
/// How a JSON file is laid out: compact or indented (character and width), LF or CRLF, a final newline, a BOM. Writes
/// a value the way System.Text.Json writes it in that layout, so a file written in any of these layouts must come back
/// byte for byte from <c>JsonFile</c> after an edit.
/// </summary>
public sealed record JsonStyle(char? IndentCharacter, int IndentSize, string NewLine, bool FinalNewline, bool Bom)
{
    public byte[] Write(JsonValueCase value)
    {
        var text = new StringBuilder();
        Write(value, 0, text);
        if (FinalNewline)
        {
            text.Append(NewLine);
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return Bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    public override string ToString() =>
        $"{(IndentCharacter is { } c ? $"indent {IndentSize}×{(c == '\t' ? "tab" : "space")}" : "compact")}, {(NewLine == "\r\n" ? "CRLF" : "LF")}, final newline {FinalNewline}, BOM {Bom}";

    private void Write(JsonValueCase value, int depth, StringBuilder text)
    {
        switch (value)
        {
            case JsonValueCase.Literal literal:
                text.Append(literal.Raw);
                break;
            case JsonValueCase.String s:
                Quote(s.Value, text);
                break;
            case JsonValueCase.Array array:
                Container('[', ']', array.Items, (item, _) => Write(item, depth + 1, text), depth, text);
                break;
            case JsonValueCase.Object obj:
                Container('{', '}', obj.Members, (member, _) =>
                {
                    Quote(member.Key, text);
                    text.Append(IndentCharacter is null ? ":" : ": ");
                    Write(member.Value, depth + 1, text);
                }, depth, text);
                break;
        }
    }

    // "[]" or "{}" when empty, else each item on its own indented line, separated by commas.
    private void Container<T>(char open, char close, IReadOnlyList<T> items, Action<T, int> writeItem, int depth, StringBuilder text)
    {
        text.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            text.Append(i > 0 ? "," : string.Empty);
            Break(depth + 1, text);
            writeItem(items[i], i);
        }

        if (items.Count > 0)
        {
            Break(depth, text);
        }

        text.Append(close);
    }

    private void Break(int depth, StringBuilder text)
    {
        if (IndentCharacter is { } c)
        {
            text.Append(NewLine).Append(c, depth * IndentSize);
        }
    }

    private static void Quote(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var ch in value)
        {
            text.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => ch.ToString(),
            });
        }

        text.Append('"');
    }
}

/// <summary>A JSON file to edit: the root object holds <c>"target"</c> (among unknown fields), which the edit removes.</summary>
public sealed record JsonCase(JsonValueCase.Object Root, JsonStyle Style)
{
    public const string Target = "target";

    public byte[] Bytes => Style.Write(Root);

    /// <summary>The file after removing the root's <c>"target"</c> member.</summary>
    public byte[] Expected => Style.Write(new JsonValueCase.Object(Root.Members.Where(m => m.Key != Target).ToList()));

    public override string ToString() => $"{Style}:\n{Encoding.UTF8.GetString(Bytes)}";
}

/// <summary>An invalid JSON file and how it was broken.</summary>
public sealed record BrokenJsonCase(byte[] Bytes, string How)
{
    public override string ToString() => $"{How}:\n{Encoding.UTF8.GetString(Bytes)}";
}

/// <summary>FsCheck generators of JSON files in every layout, with unknown fields of every type, and of broken ones.</summary>
public static class JsonCases
{
    private static readonly string[] Keys = ["accessToken", "expiresAt", "region", "startUrl", "clientId", "x-unknown", "nested", "日本", "a b", "é"];
    private static readonly string[] Fragments = ["abc", "XYZ", " ", "0", "é", "ü", "日本", "€", "\"", "\\", "\n", "\t", "<", ">", "&", "'", "+", "https://corp.example/start", "2030-01-01T00:00:00Z", "/", "{", "]"];

    public static Gen<JsonStyle> Styles { get; } =
        from indent in Gen.Elements<(char?, int)>((null, 0), (' ', 2), (' ', 4), ('\t', 1), (' ', 3))
        from newLine in Gen.Elements("\n", "\r\n")
        from finalNewline in Gen.Elements(false, true)
        from bom in Gen.Elements(false, true)
        select new JsonStyle(indent.Item1, indent.Item2, newLine, finalNewline, bom);

    public static Gen<JsonCase> Files { get; } =
        from members in Members(2)
        from position in Gen.Choose(0, members.Count)
        from target in Value(1)
        from style in Styles
        let root = members.Take(position).Append(new KeyValuePair<string, JsonValueCase>(JsonCase.Target, target)).Concat(members.Skip(position)).ToList()
        select new JsonCase(new JsonValueCase.Object(root), style);

    public static Gen<BrokenJsonCase> Broken { get; } =
        from file in Files
        from breakage in Gen.OneOf(
            Gen.Choose(0, int.MaxValue).Select(cut => Break(file, text => text[..(cut % text.LastIndexOf('}'))], "truncated")),
            Gen.Constant(Break(file, text => text[..text.LastIndexOf('}')] + "]" + text[(text.LastIndexOf('}') + 1)..], "closed with ]")),
            Gen.Constant(Break(file, text => text[..text.LastIndexOf('}')] + ",}", "trailing comma")),
            Gen.Constant(Break(file, text => "{/* comment */" + text[(text.IndexOf('{') + 1)..], "a comment")),
            Gen.Constant(Break(file, text => "{\"dup\":1,\"dup\":2," + text[(text.IndexOf('{') + 1)..], "a duplicate key")),
            Gen.Constant(Break(file, text => text + "{}", "two documents")),
            Gen.Constant(Break(file, _ => "null", "JSON null")),
            Gen.Constant(Break(file, text => text.Replace("\"target\"", "target", StringComparison.Ordinal), "an unquoted key")))
        select breakage;

    private static Gen<JsonValueCase> Scalar { get; } = Gen.OneOf(
        Gen.Elements("0", "1", "-7", "3.14", "1e5", "2.5E-3", "12345678901234567890", "1.0", "true", "false", "null").Select(t => (JsonValueCase)new JsonValueCase.Literal(t)),
        Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Gen.Elements(Fragments), n)).Select(f => (JsonValueCase)new JsonValueCase.String(string.Concat(f))));

    private static BrokenJsonCase Break(JsonCase file, Func<string, string> change, string how)
    {
        var bom = file.Style.Bom ? new byte[] { 0xEF, 0xBB, 0xBF } : [];
        var text = Encoding.UTF8.GetString(file.Bytes.AsSpan(bom.Length));
        return new BrokenJsonCase([.. bom, .. Encoding.UTF8.GetBytes(change(text))], how);
    }

    private static Gen<List<KeyValuePair<string, JsonValueCase>>> Members(int depth) =>
        from keys in Gen.Shuffle(Keys).SelectMany(shuffled => Gen.Choose(0, 4).Select(n => shuffled.Take(n).ToList()))
        from values in Gen.ArrayOf(Value(depth), keys.Count)
        select keys.Zip(values, (k, v) => new KeyValuePair<string, JsonValueCase>(k, v)).ToList();

    private static Gen<JsonValueCase> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Value(depth - 1), n)).Select(items => (JsonValueCase)new JsonValueCase.Array(items))),
            (1, Members(depth - 1).Select(m => (JsonValueCase)new JsonValueCase.Object(m))));
}
