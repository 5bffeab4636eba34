using System.Text;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// An INI file (AWS <c>credentials</c>/<c>config</c>, gcloud configurations) read as lines of bytes so that removing
/// sections preserves every other byte: comments, blank lines, CRLF or LF endings, a UTF-8 BOM, a missing final
/// newline, indented continuation lines.
/// </summary>
/// <remarks>
/// <para>Grammar, as botocore and gcloud read it: blank lines; comments starting with <c>#</c> or <c>;</c>; section
/// headers <c>[name]</c> (optionally followed by a comment); <c>key = value</c> or <c>key: value</c> lines; indented
/// continuation lines inside a section. Anything else, text before the first section, invalid UTF-8 or a NUL byte is
/// malformed.</para>
/// <para>Removing a section removes its header and its body up to the next header, except that a run of comments
/// right before the next header (with any blank lines between them and that header) is kept: such comments usually
/// describe the next section. Duplicate sections of one name are all removed.</para>
/// </remarks>
public sealed class IniDocument
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly byte[] _content;
    private readonly int _bodyStart;
    private readonly List<Line> _lines;

    private IniDocument(byte[] content, int bodyStart, List<Line> lines)
    {
        _content = content;
        _bodyStart = bodyStart;
        _lines = lines;
    }

    private enum LineKind
    {
        Blank,
        Comment,
        Header,
        Entry,
    }

    /// <summary>The section names in file order (duplicates included), as written between the brackets, trimmed.</summary>
    public IReadOnlyList<string> SectionNames => _lines.Where(l => l.Kind == LineKind.Header).Select(l => l.Section!).ToList();

    /// <summary>Parses INI content.</summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="path">The file's path, for error messages.</param>
    /// <exception cref="MalformedFileException">The content is not INI.</exception>
    public static IniDocument Parse(byte[] content, string path = "")
    {
        ArgumentNullException.ThrowIfNull(content);
        var bodyStart = content.AsSpan().StartsWith(Bom) ? Bom.Length : 0;
        var nul = content.AsSpan(bodyStart).IndexOf((byte)0);
        if (nul >= 0)
        {
            var line = content.AsSpan(bodyStart, nul).Count((byte)'\n') + 1;
            throw new MalformedFileException(path, line, "contains a NUL byte (binary data, not an INI file)");
        }

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var lines = new List<Line>();
        var start = bodyStart;
        var lineNumber = 0;
        var seenHeader = false;
        while (start < content.Length)
        {
            lineNumber++;
            var newline = content.AsSpan(start).IndexOf((byte)'\n');
            var end = newline < 0 ? content.Length : start + newline + 1;
            string text;
            try
            {
                text = strict.GetString(content, start, end - start);
            }
            catch (DecoderFallbackException)
            {
                throw new MalformedFileException(path, lineNumber, "is not valid UTF-8");
            }

            var line = Classify(text.TrimEnd('\n', '\r'), path, lineNumber);
            if (line.Kind == LineKind.Header)
            {
                seenHeader = true;
            }
            else if (line.Kind == LineKind.Entry && !seenHeader)
            {
                throw new MalformedFileException(path, lineNumber, "has a setting before the first [section] header");
            }

            lines.Add(line with { Start = start, End = end });
            start = end;
        }

        return new IniDocument(content, bodyStart, lines);
    }

    /// <summary>Whether a section of this name exists.</summary>
    /// <param name="match">Decides from the trimmed header text.</param>
    public bool Contains(Func<string, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return _lines.Any(l => l.Kind == LineKind.Header && match(l.Section!));
    }

    /// <summary>
    /// Removes every section whose header matches, returning the new content, or a <see cref="FileEdit"/> that deletes
    /// the file when no section is left, or leaves it unchanged when nothing matched.
    /// </summary>
    /// <param name="match">Decides from the trimmed header text, such as <c>profile dev-admin</c>.</param>
    /// <param name="removed">How many sections were removed.</param>
    public FileEdit RemoveSections(Func<string, bool> match, out int removed)
    {
        ArgumentNullException.ThrowIfNull(match);
        var drop = new bool[_lines.Count];
        removed = 0;
        for (var i = 0; i < _lines.Count; i++)
        {
            if (_lines[i].Kind != LineKind.Header || !match(_lines[i].Section!))
            {
                continue;
            }

            removed++;
            var next = i + 1;
            while (next < _lines.Count && _lines[next].Kind != LineKind.Header)
            {
                next++;
            }

            // Keep a run of comments that leads into the next header (and the blank lines that follow them).
            var keepFrom = next;
            if (next < _lines.Count)
            {
                var j = next - 1;
                while (j > i && _lines[j].Kind is LineKind.Comment or LineKind.Blank)
                {
                    j--;
                }

                var firstComment = -1;
                for (var k = j + 1; k < next; k++)
                {
                    if (_lines[k].Kind == LineKind.Comment)
                    {
                        firstComment = k;
                        break;
                    }
                }

                if (firstComment >= 0)
                {
                    keepFrom = firstComment;
                }
            }

            for (var k = i; k < keepFrom; k++)
            {
                drop[k] = true;
            }

            i = next - 1;
        }

        if (removed == 0)
        {
            return FileEdit.Unchanged;
        }

        if (!_lines.Where((l, index) => l.Kind == LineKind.Header && !drop[index]).Any())
        {
            return FileEdit.Delete;
        }

        using var output = new MemoryStream(_content.Length);
        output.Write(_content, 0, _bodyStart);
        for (var i = 0; i < _lines.Count; i++)
        {
            if (!drop[i])
            {
                output.Write(_content, _lines[i].Start, _lines[i].End - _lines[i].Start);
            }
        }

        return FileEdit.Replace(output.ToArray());
    }

    /// <summary>The value of <c>key</c> in the first section matching <paramref name="section"/>, or null.</summary>
    /// <param name="section">The trimmed header text.</param>
    /// <param name="key">The key, compared case-sensitively after trimming.</param>
    public string? GetValue(string section, string key)
    {
        var inSection = false;
        foreach (var line in _lines)
        {
            if (line.Kind == LineKind.Header)
            {
                if (inSection)
                {
                    return null;
                }

                inSection = line.Section == section;
            }
            else if (inSection && line.Kind == LineKind.Entry && line.Key == key)
            {
                return line.Value;
            }
        }

        return null;
    }

    /// <summary>Whether a header names an AWS <c>config</c> profile: <c>profile NAME</c> (any spacing).</summary>
    /// <param name="header">The trimmed header text.</param>
    /// <param name="profile">The profile name to match.</param>
    public static bool IsProfileHeader(string header, string profile)
    {
        ArgumentNullException.ThrowIfNull(header);
        var parts = header.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0] == "profile" && parts[1] == profile;
    }

    private static Line Classify(string text, string path, int lineNumber)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return new Line(LineKind.Blank);
        }

        if (trimmed[0] is '#' or ';')
        {
            return new Line(LineKind.Comment);
        }

        if (char.IsWhiteSpace(text[0]))
        {
            return new Line(LineKind.Entry); // continuation of the previous value
        }

        if (trimmed[0] == '[')
        {
            var close = trimmed.LastIndexOf(']');
            if (close < 0)
            {
                throw new MalformedFileException(path, lineNumber, "has a section header without a closing ']'");
            }

            var rest = trimmed[(close + 1)..].TrimStart();
            if (rest.Length > 0 && rest[0] is not ('#' or ';'))
            {
                throw new MalformedFileException(path, lineNumber, "has text after a section header");
            }

            var name = trimmed[1..close].Trim();
            if (name.Length == 0)
            {
                throw new MalformedFileException(path, lineNumber, "has an empty section header");
            }

            return new Line(LineKind.Header) { Section = name };
        }

        var separator = trimmed.IndexOfAny(['=', ':']);
        if (separator <= 0)
        {
            throw new MalformedFileException(path, lineNumber, "is neither a [section], a key = value setting nor a comment");
        }

        return new Line(LineKind.Entry) { Key = trimmed[..separator].Trim(), Value = trimmed[(separator + 1)..].Trim() };
    }

    private sealed record Line(LineKind Kind)
    {
        public string? Section { get; init; }

        public string? Key { get; init; }

        public string? Value { get; init; }

        public int Start { get; init; }

        public int End { get; init; }
    }
}
