using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// Locked, atomic edits of JSON files (Azure CLI profiles, MSAL caches...). Unknown fields survive because the
/// document is edited as a tree; the UTF-8 BOM, the indentation style and the final newline of the original are kept.
/// A file that is not valid JSON is reported and left untouched.
/// </summary>
public static class JsonFile
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Parses JSON bytes (with or without a BOM).</summary>
    /// <param name="content">The bytes.</param>
    /// <param name="path">For error messages.</param>
    /// <exception cref="MalformedFileException">The content is not JSON.</exception>
    public static JsonNode Parse(byte[] content, string path = "")
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = content.AsMemory(content.AsSpan().StartsWith(Bom) ? Bom.Length : 0);
        try
        {
            // Duplicate names are refused here: a tree holding them would only fail later, half-way through an edit.
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowDuplicateProperties = false };
            return JsonNode.Parse(body.Span, documentOptions: options)
                ?? throw new MalformedFileException(path, 0, "is JSON null, not an object");
        }
        catch (JsonException ex)
        {
            // Only on failure: tell a syntax error (with its line) from valid JSON with a duplicate property.
            try
            {
                using (JsonDocument.Parse(body))
                {
                }
            }
            catch (JsonException syntax)
            {
                throw new MalformedFileException(path, (int)(syntax.LineNumber ?? -1) + 1, "is not valid JSON");
            }

            throw new MalformedFileException(path, (int)(ex.LineNumber ?? -1) + 1, "is not valid JSON: an object has the same property twice");
        }
    }

    /// <summary>
    /// Edits a JSON file under its lock. <paramref name="edit"/> mutates the parsed tree in place and says what to do:
    /// <see cref="FileEditKind.Unchanged"/>, <see cref="FileEditKind.Replace"/> (write the mutated tree) or
    /// <see cref="FileEditKind.Delete"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="edit">Mutates the tree and returns the decision.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    public static EditOutcome Edit(string path, Func<JsonNode, FileEditKind> edit, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return AtomicFile.Edit(path, original => Decide(original, path, edit), lockTimeout, cancellationToken);
    }

    private static FileEdit Decide(byte[] original, string path, Func<JsonNode, FileEditKind> edit)
    {
        var document = Parse(original, path);
        return edit(document) switch
        {
            FileEditKind.Replace => FileEdit.Replace(Serialize(document, original)),
            FileEditKind.Delete => FileEdit.Delete,
            _ => FileEdit.Unchanged,
        };
    }

    /// <summary>
    /// <see cref="Edit(string, Func{JsonNode, FileEditKind}, TimeSpan, CancellationToken)"/> for a file inside
    /// <paramref name="baseFolder"/>: every folder below the base folder is walked without following links
    /// (<see cref="AtomicFile.Edit(string, string, Func{byte[], FileEdit}, TimeSpan, CancellationToken)"/>).
    /// </summary>
    /// <param name="baseFolder">The folder the edit must stay in.</param>
    /// <param name="path">The file, inside <paramref name="baseFolder"/>.</param>
    /// <param name="edit">Mutates the tree and returns the decision.</param>
    /// <param name="lockTimeout">How long to wait for the lock.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    public static EditOutcome Edit(string baseFolder, string path, Func<JsonNode, FileEditKind> edit, TimeSpan lockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return AtomicFile.Edit(baseFolder, path, original => Decide(original, path, edit), lockTimeout, cancellationToken);
    }

    /// <summary>Serializes <paramref name="document"/> in the style of <paramref name="original"/> (BOM, indentation, final newline).</summary>
    /// <param name="document">The tree to write.</param>
    /// <param name="original">The bytes it was read from.</param>
    public static byte[] Serialize(JsonNode document, byte[] original)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(original);
        var hasBom = original.AsSpan().StartsWith(Bom);
        var text = Encoding.UTF8.GetString(hasBom ? original.AsSpan(Bom.Length) : original.AsSpan());
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var indent = DetectIndent(text);
        if (indent is { } style)
        {
            options.WriteIndented = true;
            options.IndentCharacter = style.Character;
            options.IndentSize = style.Size;
        }

        var json = document.ToJsonString(options);
        if (text.EndsWith('\n'))
        {
            json += text.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        }

        if (text.Contains("\r\n", StringComparison.Ordinal))
        {
            json = json.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        return hasBom ? [.. Bom, .. bytes] : bytes;
    }

    private static (char Character, int Size)? DetectIndent(string text)
    {
        foreach (var line in text.Split('\n').Skip(1))
        {
            var width = 0;
            while (width < line.Length && line[width] is ' ' or '\t')
            {
                width++;
            }

            if (width > 0 && width < line.Length)
            {
                return (line[0], Math.Clamp(width, 1, 127));
            }
        }

        return null;
    }
}
