using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>What a generated line is meant to be.</summary>
public enum IniLineKind
{
    Blank,
    Comment,
    Header,
    Setting,
    Continuation,
}

/// <summary>A generated line: its kind, text, ending ("\n", "\r\n", or "" for a last line without one) and, for headers, the section name.</summary>
public sealed record IniLine(IniLineKind Kind, string Text, string Ending, string? Section = null);

/// <summary>
/// A generated INI document, known line by line, and the section to remove. The bytes are built from the lines, so the
/// expected result of a removal is computed from the structure (<see cref="ExpectedRemoval"/>), never by parsing.
/// </summary>
public sealed record IniCase(bool Bom, IReadOnlyList<IniLine> Lines, string Target)
{
    private static readonly byte[] BomBytes = [0xEF, 0xBB, 0xBF];

    public byte[] Bytes => Build(Lines);

    /// <summary>
    /// Outcome of removing <see cref="Target"/> under the rule of docs/decisions.md §6: a section goes from its header to
    /// the next one, except a run of comments leading into the next header (with the blank lines after them); atmos's
    /// metadata comments right above a removed header (back to the previous setting) go with it.
    /// </summary>
    public (int Removed, byte[]? Content) ExpectedRemoval()
    {
        // Sections as [header index, end index) in the line list; everything before the first header is the preamble.
        var headers = Lines.Select((line, index) => (line, index)).Where(l => l.line.Kind == IniLineKind.Header).Select(l => l.index).ToList();
        var drop = new bool[Lines.Count];
        var removed = 0;
        var remaining = 0;
        for (var s = 0; s < headers.Count; s++)
        {
            var start = headers[s];
            var end = s + 1 < headers.Count ? headers[s + 1] : Lines.Count;
            if (Lines[start].Section != Target)
            {
                remaining++;
                continue;
            }

            removed++;
            var keepFrom = end;
            if (end < Lines.Count)
            {
                // Comments leading into the next header stay (with the blank lines after them); blank lines before them go.
                var quietStart = end;
                while (quietStart - 1 > start && Lines[quietStart - 1].Kind is IniLineKind.Blank or IniLineKind.Comment)
                {
                    quietStart--;
                }

                var firstComment = Enumerable.Range(quietStart, end - quietStart).FirstOrDefault(k => Lines[k].Kind == IniLineKind.Comment, -1);
                if (firstComment >= 0)
                {
                    keepFrom = firstComment;
                }
            }

            for (var k = start; k < keepFrom; k++)
            {
                drop[k] = true;
            }

            for (var k = start - 1; k >= 0 && Lines[k].Kind is IniLineKind.Blank or IniLineKind.Comment; k--)
            {
                if (Lines[k].Kind == IniLineKind.Comment && IsAtmosMetadata(Lines[k].Text))
                {
                    drop[k] = true;
                }
            }
        }

        return (removed, removed == 0 ? Bytes : remaining == 0 ? null : Build(Lines.Where((_, index) => !drop[index])));
    }

    // Written here from the rule, not by calling the editor: ';' or '#', optional white space, then "atmos:".
    private static bool IsAtmosMetadata(string comment)
    {
        var text = comment.Trim();
        return (text.StartsWith(';') || text.StartsWith('#')) && text[1..].TrimStart().StartsWith("atmos:", StringComparison.Ordinal);
    }

    public override string ToString() =>
        $"target [{Target}], BOM {Bom}:\n" + string.Join('\n', Lines.Select(l => $"{l.Kind,-12} {Escape(l.Text + l.Ending)}"));

    public static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    private byte[] Build(IEnumerable<IniLine> lines)
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l.Text + l.Ending)));
        return Bom ? [.. BomBytes, .. body] : body;
    }
}

/// <summary>A valid document with one bad line inserted; the parser must name that line.</summary>
public sealed record MalformedIniCase(IniCase Document, int Index, byte[] BadLine, string What)
{
    /// <summary>The 1-based line number of the bad line.</summary>
    public int LineNumber => Index + 1;

    public byte[] Bytes
    {
        get
        {
            var lines = Document.Lines.ToList();
            if (Index == lines.Count && lines.Count > 0 && lines[^1].Ending.Length == 0)
            {
                lines[^1] = lines[^1] with { Ending = "\n" };
            }

            var before = (Document with { Lines = lines.Take(Index).ToList() }).Bytes;
            var after = Encoding.UTF8.GetBytes(string.Concat(lines.Skip(Index).Select(l => l.Text + l.Ending)));
            return [.. before, .. BadLine, (byte)'\n', .. after];
        }
    }

    public override string ToString() => $"{What} at line {LineNumber} of\n{Document}";
}

/// <summary>FsCheck generators of INI documents: comments (# and ;, indented too), blank lines, CRLF/LF mixes, a BOM,
/// duplicate sections, a missing final newline, continuation lines, headers with spacing and trailing comments.</summary>
public static class IniCases
{
    private static readonly string[] SectionNames = ["default", "dev-admin", "profile dev-admin", "prod", "x y", "sso-session corp", "日本"];
    private static readonly string[] Fragments = ["abc", "XYZ", "0", "42", " ", "=", ":", "[", "]", "#", ";", "é", "日本", "😀", "\t", "\"", "'", "value", "https://corp.example/start", "\\", "{", "}"];

    public static Gen<IniCase> Documents { get; } =
        from bom in Gen.Elements(false, true)
        from preamble in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.OneOf(Blank, Comment), n))
        from sections in Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Section, n))
        from target in Gen.Elements(SectionNames)
        let lines = preamble.Concat(sections.SelectMany(s => s)).ToList()
        from endings in Gen.ArrayOf(Gen.Elements("\n", "\r\n"), lines.Count)
        from last in Gen.Elements("\n", "\r\n", string.Empty)
        select new IniCase(bom, lines.Select((l, i) => l with { Ending = i == lines.Count - 1 ? last : endings[i] }).ToList(), target);

    public static Gen<MalformedIniCase> Malformed { get; } =
        from document in Documents
        from index in Gen.Choose(0, document.Lines.Count)
        let beforeFirstHeader = document.Lines.Take(index).All(l => l.Kind != IniLineKind.Header)
        from bad in beforeFirstHeader ? Gen.OneOf(AnywhereBadLine, PreambleBadLine) : AnywhereBadLine
        select new MalformedIniCase(document, index, bad.Line, bad.What);

    private static Gen<string> Text { get; } = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(Fragments), n)).Select(string.Concat);

    private static Gen<IniLine> Blank { get; } = Gen.Elements("", " ", "\t", "  \t").Select(t => new IniLine(IniLineKind.Blank, t, ""));

    private static Gen<IniLine> Comment => Gen.Frequency((3, PlainComment), (2, MetadataComment));

    private static Gen<IniLine> PlainComment { get; } =
        from indent in Gen.Elements("", " ", "\t")
        from marker in Gen.Elements("#", ";")
        from text in Text
        select new IniLine(IniLineKind.Comment, indent + marker + text, "");

    // atmos's metadata comments (as atmos writes them, and spelled otherwise) and near misses that are plain comments.
    private static Gen<IniLine> MetadataComment { get; } =
        from indent in Gen.Elements("", " ", "\t")
        from marker in Gen.Elements("; ", ";", "# ", "#\t")
        from key in Gen.Elements("atmos: expiration=2025-10-17T10:15:30Z", "atmos:", "atmos: note", "atmosx: expiration=1", "Atmos: expiration=1", "atmos expiration=1")
        from text in Text
        select new IniLine(IniLineKind.Comment, indent + marker + key + text, "");

    private static Gen<IniLine> Header { get; } =
        from name in Gen.Elements(SectionNames)
        from left in Gen.Elements("", " ", "  ")
        from right in Gen.Elements("", " ", "  ")
        from trailer in Gen.OneOf(Gen.Constant(string.Empty), Gen.Elements(" #", "  ;", "\t# ").SelectMany(m => Text.Select(t => m + t.Replace("]", string.Empty, StringComparison.Ordinal))))
        select new IniLine(IniLineKind.Header, $"[{left}{name}{right}]{trailer}", "", name);

    private static Gen<IniLine> Setting { get; } =
        from key in Gen.Elements("aws_access_key_id", "region", "output", "s3", "sso_start_url", "key_1")
        from separator in Gen.Elements(" = ", "=", ": ", " =", ":")
        from value in Text
        select new IniLine(IniLineKind.Setting, key + separator + value, "");

    private static Gen<IniLine> Continuation { get; } =
        from indent in Gen.Elements(" ", "  ", "\t")
        from key in Gen.Elements("max_concurrent_requests = ", "v", "role_arn = ")
        from value in Text
        select new IniLine(IniLineKind.Continuation, indent + key + value, "");

    private static Gen<IniLine[]> Section { get; } =
        from header in Header
        from body in Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Gen.Frequency((2, Setting), (1, Continuation), (1, Comment), (1, Blank)), n))
        select new[] { header }.Concat(body).ToArray();

    // Bad anywhere: not a header, setting, continuation, comment or blank; or a NUL byte; or invalid UTF-8.
    private static Gen<(byte[] Line, string What)> AnywhereBadLine { get; } = Gen.OneOf(
        Gen.Elements("garbage line", "é日本", "[unclosed", "[unclosed # c", "[]", "[   ]", "[a] trailing text", "= value", ": value")
            .Select(t => (Encoding.UTF8.GetBytes(t), $"'{t}'")),
        Gen.Elements("key = a\0b", "# comment\0", "\0").Select(t => (Encoding.UTF8.GetBytes(t), "a NUL byte")),
        Gen.Elements<byte[]>([0xFF], [(byte)'k', (byte)'=', 0xC3, 0x28], [(byte)'#', 0xE2, 0x82], [0xED, 0xA0, 0x80]).Select(b => (b, "invalid UTF-8")));

    // Bad only before the first header: a setting or a continuation line with no section to belong to.
    private static Gen<(byte[] Line, string What)> PreambleBadLine { get; } =
        Gen.Elements("region = us-east-1", "  indented = 1").Select(t => (Encoding.UTF8.GetBytes(t), $"'{t}' before the first header"));
}
