using System.Buffers;
using System.Text;
using System.Text.Unicode;

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
/// describe the next section. atmos's metadata comments (<c>; atmos: expiration=...</c>) right above a removed section's
/// header go with it (<see cref="IsAtmosMetadataComment"/>). Duplicate sections of one name are all removed.</para>
/// </remarks>
public sealed class IniDocument
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private const string LineBreak = "\r\n";
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
        Continuation,
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
        var lines = new List<Line>(content.AsSpan().Count((byte)'\n') + 1);
        var bodyStart = Scan(content, path, lines, visit: null);
        return new IniDocument(content, bodyStart, lines);
    }

    /// <summary>
    /// The section names of INI content in file order (duplicates included), checked exactly as <see cref="Parse"/>
    /// checks it, without keeping the document: for deciding which files an edit concerns without holding them.
    /// </summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="path">The file's path, for error messages.</param>
    /// <exception cref="MalformedFileException">The content is not INI.</exception>
    public static IReadOnlyList<string> ReadSectionNames(ReadOnlySpan<byte> content, string path = "")
    {
        var names = new List<string>();
        VisitSectionNames(content, path, name => names.Add(name.ToString()));
        return names;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with each section name of INI content in file order (duplicates included), checked
    /// exactly as <see cref="Parse"/> checks it, without making a string of any: for matching a large file's sections
    /// against a set (<c>HashSet.GetAlternateLookup</c>) without allocating per section. The span is valid only during
    /// the call.
    /// </summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="path">The file's path, for error messages.</param>
    /// <param name="visit">Called with each section name, trimmed.</param>
    /// <exception cref="MalformedFileException">The content is not INI.</exception>
    public static void VisitSectionNames(ReadOnlySpan<byte> content, string path, Action<ReadOnlySpan<char>> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        Scan(content, path, lines: null, visit);
    }

    // Checks and classifies every line, adding each to lines and passing each section name to visit (either may be
    // null); returns where the body starts (after a BOM).
    private static int Scan(ReadOnlySpan<byte> content, string path, List<Line>? lines, Action<ReadOnlySpan<char>>? visit)
    {
        var bodyStart = content.StartsWith(Bom) ? Bom.Length : 0;
        var nul = content[bodyStart..].IndexOf((byte)0);
        if (nul >= 0)
        {
            var line = content.Slice(bodyStart, nul).Count((byte)'\n') + 1;
            throw new MalformedFileException(path, line, "contains a NUL byte (binary data, not an INI file)");
        }

        // A UTF-8 sequence never contains a '\n' byte, so the whole content is valid exactly when every line is: check
        // once, and look for the line only when it is not. Lines are then decoded into one reused buffer; only section
        // names become strings (settings are read from the bytes again on the rare calls that need them), so parsing a
        // large credentials file allocates little more than its list of lines.
        var valid = Utf8.IsValid(content[bodyStart..]);
        var buffer = ArrayPool<char>.Shared.Rent(256);
        try
        {
            var start = bodyStart;
            var lineNumber = 0;
            var seenHeader = false;
            while (start < content.Length)
            {
                lineNumber++;
                var newline = content[start..].IndexOf((byte)'\n');
                var end = newline < 0 ? content.Length : start + newline + 1;
                var bytes = content[start..end];
                if (!valid && !Utf8.IsValid(bytes))
                {
                    throw new MalformedFileException(path, lineNumber, "is not valid UTF-8");
                }

                if (buffer.Length < bytes.Length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(bytes.Length);
                }

                var text = buffer.AsSpan(0, Encoding.UTF8.GetChars(bytes, buffer)).TrimEnd(LineBreak);
                var line = Classify(text, path, lineNumber, out var name);
                if (line == LineKind.Header)
                {
                    seenHeader = true;
                }
                else if (line is LineKind.Entry or LineKind.Continuation && !seenHeader)
                {
                    throw new MalformedFileException(path, lineNumber, "has a setting before the first [section] header");
                }

                lines?.Add(new Line(line, start, end, line == LineKind.Header ? name.ToString() : null));
                if (line == LineKind.Header)
                {
                    visit?.Invoke(name);
                }

                start = end;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return bodyStart;
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

            // atmos's metadata comment ("; atmos: expiration=...") belongs to the section below it: gopkg.in/ini, which
            // atmos writes the file with, reads every comment between the previous setting and a header as that section's
            // comment, and atmos takes the first "expiration=" in it. Left behind, it would become the next section's.
            for (var k = i - 1; k >= 0 && _lines[k].Kind is LineKind.Comment or LineKind.Blank; k--)
            {
                if (_lines[k].Kind == LineKind.Comment && IsAtmosMetadata(_lines[k]))
                {
                    drop[k] = true;
                }
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

        return FileEdit.Replace(Compose(i => drop[i] ? [] : null));
    }

    /// <summary>
    /// Removes the setting <paramref name="key"/> (with its indented continuation lines) from every section named
    /// <paramref name="section"/>, keeping every other byte; the section headers stay even when left empty. This is
    /// what <c>gcloud config unset</c> does to a property.
    /// </summary>
    /// <param name="section">The trimmed header text, such as <c>core</c>.</param>
    /// <param name="key">The key, compared case-sensitively after trimming.</param>
    /// <param name="removed">How many settings were removed.</param>
    /// <returns>The new content, or <see cref="FileEdit.Unchanged"/> when the key was not there.</returns>
    public FileEdit RemoveKey(string section, string key, out int removed)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(key);
        var drop = new bool[_lines.Count];
        removed = 0;
        foreach (var index in EntriesOf(section, key))
        {
            removed++;
            drop[index] = true;
            for (var next = index + 1; next < _lines.Count && IsContinuation(_lines[next]); next++)
            {
                drop[next] = true;
            }
        }

        return removed == 0 ? FileEdit.Unchanged : FileEdit.Replace(Compose(i => drop[i] ? [] : null));
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> in the sections named <paramref name="section"/>, keeping
    /// every other byte. An existing setting has only its value replaced, in place (the key, the separator and the
    /// spacing around it stay; continuation lines of the old value go); a missing setting is added after the last setting
    /// of the first such section; a missing section is added at the end of the file. Line endings follow the file's.
    /// </summary>
    /// <param name="section">The trimmed header text, such as <c>core</c>.</param>
    /// <param name="key">The key, compared case-sensitively after trimming.</param>
    /// <param name="value">The new value: a single line, leading and trailing white space not preserved.</param>
    /// <returns>The new content, or <see cref="FileEdit.Unchanged"/> when every such setting already had this value.</returns>
    /// <exception cref="ArgumentException">The key or the value would not survive a round trip (line breaks, a separator in the key...).</exception>
    public FileEdit SetValue(string section, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length == 0 || key.Trim() != key || key.IndexOfAny(['=', ':', '[', '#', ';', '\r', '\n']) >= 0 || section.IndexOfAny(['[', ']', '\r', '\n']) >= 0)
        {
            throw new ArgumentException($"'{key}' in [{section}] cannot be written as an INI setting", nameof(key));
        }

        if (value.IndexOfAny(['\r', '\n']) >= 0 || value.Trim() != value)
        {
            throw new ArgumentException("the value must be a single line without leading or trailing white space", nameof(value));
        }

        var newline = DetectNewline();
        var encoded = Encoding.UTF8.GetBytes(value);
        var entries = EntriesOf(section, key).ToList();
        if (entries.Count > 0)
        {
            var replaced = new Dictionary<int, byte[]>();
            foreach (var index in entries)
            {
                var line = _lines[index];
                if (Setting(line).Value != value || (index + 1 < _lines.Count && IsContinuation(_lines[index + 1])))
                {
                    replaced[index] = WithValue(line, encoded);
                    for (var next = index + 1; next < _lines.Count && IsContinuation(_lines[next]); next++)
                    {
                        replaced[next] = [];
                    }
                }
            }

            return replaced.Count == 0 ? FileEdit.Unchanged : FileEdit.Replace(Compose(i => replaced.GetValueOrDefault(i)));
        }

        var setting = Encoding.UTF8.GetBytes($"{key} = {value}{newline}");
        var header = _lines.FindIndex(l => l.Kind == LineKind.Header && l.Section == section);
        if (header < 0)
        {
            var separator = _content.Length > _bodyStart && _content[^1] != (byte)'\n' ? newline : string.Empty;
            return FileEdit.Replace([.. Compose(_ => null), .. Encoding.UTF8.GetBytes($"{separator}[{section}]{newline}"), .. setting]);
        }

        var last = header;
        for (var i = header + 1; i < _lines.Count && _lines[i].Kind != LineKind.Header; i++)
        {
            if (_lines[i].Kind is LineKind.Entry or LineKind.Continuation)
            {
                last = i;
            }
        }

        var after = _lines[last];
        var ending = _content[after.End - 1] == (byte)'\n' ? [] : Encoding.UTF8.GetBytes(newline);
        return FileEdit.Replace(Compose(i => i == last ? [.. _content.AsSpan(after.Start, after.End - after.Start), .. ending, .. setting] : null));
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
            else if (inSection && line.Kind == LineKind.Entry && Setting(line) is var setting && setting.Key == key)
            {
                return setting.Value;
            }
        }

        return null;
    }

    private static bool IsContinuation(Line line) => line.Kind == LineKind.Continuation;

    /// <summary>
    /// Whether a comment is atmos's metadata about the section below it: <c>; atmos: ...</c> or <c># atmos: ...</c> (any
    /// white space around the marker), as atmos writes <c>; atmos: expiration=&lt;RFC 3339&gt;</c> above each profile.
    /// </summary>
    /// <param name="comment">The comment line's text, with or without its line break.</param>
    public static bool IsAtmosMetadataComment(ReadOnlySpan<char> comment)
    {
        var text = comment.Trim();
        return text.Length > 0 && text[0] is ';' or '#' && text[1..].TrimStart().StartsWith("atmos:", StringComparison.Ordinal);
    }

    private bool IsAtmosMetadata(Line line) =>
        IsAtmosMetadataComment(Encoding.UTF8.GetString(_content, line.Start, line.End - line.Start));

    // Indexes of the settings named key inside sections named section.
    private IEnumerable<int> EntriesOf(string section, string key)
    {
        var inSection = false;
        for (var i = 0; i < _lines.Count; i++)
        {
            if (_lines[i].Kind == LineKind.Header)
            {
                inSection = _lines[i].Section == section;
            }
            else if (inSection && IsSetting(_lines[i], key))
            {
                yield return i;
            }
        }
    }

    // The original bytes with each line either kept (null) or replaced by the given bytes (empty drops it). Sized
    // exactly first, then filled: one array per rewrite (a file of a thousand sections is on the large object heap,
    // where a growable stream's buffer and its copy would each stay until the process ends).
    private byte[] Compose(Func<int, byte[]?> replacement)
    {
        var replacements = new byte[]?[_lines.Count];
        var length = _bodyStart;
        for (var i = 0; i < _lines.Count; i++)
        {
            replacements[i] = replacement(i);
            length += replacements[i]?.Length ?? _lines[i].End - _lines[i].Start;
        }

        var output = new byte[length];
        _content.AsSpan(0, _bodyStart).CopyTo(output);
        var at = _bodyStart;
        for (var i = 0; i < _lines.Count; i++)
        {
            var bytes = replacements[i] is { } replaced ? replaced : _content.AsSpan(_lines[i].Start, _lines[i].End - _lines[i].Start);
            bytes.CopyTo(output.AsSpan(at));
            at += bytes.Length;
        }

        return output;
    }

    // The entry line with only its value swapped: key, separator and spacing before the value, and the line ending, stay.
    private byte[] WithValue(Line line, byte[] value)
    {
        var bytes = _content.AsSpan(line.Start, line.End - line.Start);
        var separator = bytes.IndexOfAny((byte)'=', (byte)':');
        var valueStart = separator + 1;
        while (valueStart < bytes.Length && bytes[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }

        var valueEnd = bytes.Length;
        while (valueEnd > valueStart && bytes[valueEnd - 1] is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }

        // "key =" with no value at all gets a space after the separator, as writers of this format do.
        byte[] gap = valueEnd == valueStart && valueStart == separator + 1 && value.Length > 0 ? [(byte)' '] : [];
        return [.. bytes[..valueStart], .. gap, .. value, .. bytes[valueEnd..].TrimStart(" \t"u8)];
    }

    private string DetectNewline() =>
        _lines.Count > 0 && _lines[0].End - _lines[0].Start >= 2 && _content[_lines[0].End - 1] == (byte)'\n' && _content[_lines[0].End - 2] == (byte)'\r'
            ? "\r\n"
            : "\n";

    /// <summary>Whether a header names an AWS <c>config</c> profile: <c>profile NAME</c> (any spacing).</summary>
    /// <param name="header">The trimmed header text.</param>
    /// <param name="profile">The profile name to match.</param>
    public static bool IsProfileHeader(string header, string profile) => ProfileNameOf(header) == profile;

    /// <summary>The profile an AWS <c>config</c> header names: NAME for <c>profile NAME</c> (any white space between
    /// them), null for any other header (<c>default</c>, <c>sso-session NAME</c>, <c>profileNAME</c>).</summary>
    /// <param name="header">The trimmed header text.</param>
    public static string? ProfileNameOf(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var name = ProfileNameOf(header.AsSpan());
        return name.IsEmpty ? null : name.ToString();
    }

    /// <summary>The same for a header read without making a string of it (<see cref="VisitSectionNames"/>): empty for
    /// any header that names no profile.</summary>
    /// <param name="header">The trimmed header text.</param>
    public static ReadOnlySpan<char> ProfileNameOf(ReadOnlySpan<char> header)
    {
        const string Prefix = "profile";
        if (header.Length <= Prefix.Length || !header.StartsWith(Prefix, StringComparison.Ordinal) || !char.IsWhiteSpace(header[Prefix.Length]))
        {
            return default;
        }

        return header[Prefix.Length..].Trim();
    }

    // What a line is (its text without the line break); a header's trimmed name is returned in section (a slice of text).
    private static LineKind Classify(ReadOnlySpan<char> text, string path, int lineNumber, out ReadOnlySpan<char> section)
    {
        section = default;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return LineKind.Blank;
        }

        if (trimmed[0] is '#' or ';')
        {
            return LineKind.Comment;
        }

        if (char.IsWhiteSpace(text[0]))
        {
            return LineKind.Continuation; // of the previous value
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

            section = name;
            return LineKind.Header;
        }

        if (trimmed.IndexOfAny('=', ':') <= 0)
        {
            throw new MalformedFileException(path, lineNumber, "is neither a [section], a key = value setting nor a comment");
        }

        return LineKind.Entry;
    }

    // A setting's key and value, trimmed, read again from the line's bytes (parsing does not keep them).
    private (string Key, string Value) Setting(Line line)
    {
        var trimmed = Encoding.UTF8.GetString(_content, line.Start, line.End - line.Start).AsSpan().TrimEnd(LineBreak).Trim();
        var separator = trimmed.IndexOfAny('=', ':');
        return (trimmed[..separator].Trim().ToString(), trimmed[(separator + 1)..].Trim().ToString());
    }

    private bool IsSetting(Line line, string key) => line.Kind == LineKind.Entry && Setting(line).Key == key;

    // One line: what it is, where its bytes are (line break included) and, for a header, the section name.
    private readonly record struct Line(LineKind Kind, int Start, int End, string? Section);
}
