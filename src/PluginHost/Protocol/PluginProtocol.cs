using System.Buffers;
using System.Text.Json;

namespace Atmos.Plugins.PluginHost.Protocol;

/// <summary>
/// The protocol between atmos and <c>atmos-plugin-host</c>, over the host's standard input and output: one JSON object
/// per line, UTF-8. Version 1:
/// <list type="bullet">
/// <item>the host starts with <c>{"hello":"atmos-plugin-host","protocol":1}</c>;</item>
/// <item>atmos calls <c>{"id":N,"call":"load|cloud|validate_provider|validate_identity|classify|plan|execute|inspect", ...}</c>,
/// one call at a time, and may cancel the running one with <c>{"cancel":N}</c>;</item>
/// <item>the host answers <c>{"id":N,"value":...}</c>, <c>{"id":N,"error":"Type: message"}</c> or, for a list longer
/// than the call's <c>max</c>, <c>{"id":N,"over":max}</c>;</item>
/// <item>at any time the host may send <c>{"log":"debug|info|warning","message":...}</c> (the plugin's log channel) and,
/// when an exception on one of the plugin's threads is about to end the process, <c>{"crash":"Type: message"}</c>.</item>
/// </list>
/// Either side ends the conversation by closing its end; the host then kills itself at once, whatever threads the plugin
/// left running.
/// </summary>
internal static class PluginProtocol
{
    /// <summary>The version both ends speak; the host says it first and atmos refuses any other.</summary>
    public const int Version = 1;

    /// <summary>The host's greeting.</summary>
    public const string Hello = "atmos-plugin-host";

    /// <summary>The file name of the host executable, beside atmos.</summary>
    public static string ExecutableName => OperatingSystem.IsWindows() ? "atmos-plugin-host.exe" : "atmos-plugin-host";

    /// <summary>
    /// The longest line either side accepts. A plugin's answer is bounded well below it (steps, paths, text), so a line
    /// this long is a plugin flooding the pipe: atmos stops reading and ends the process instead of buffering it.
    /// </summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    public const string Load = "load";
    public const string Cloud = "cloud";
    public const string ValidateProvider = "validate_provider";
    public const string ValidateIdentity = "validate_identity";
    public const string Classify = "classify";
    public const string Plan = "plan";
    public const string Execute = "execute";
    public const string Inspect = "inspect";

    /// <summary>One JSON object written as one line (the writer escapes line breaks inside strings).</summary>
    public static byte[] Line(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A line of the protocol that cannot be read: too long, or the stream ended inside it.</summary>
internal sealed class ProtocolException(string message) : Exception(message);

/// <summary>
/// Reads lines of at most a given length from a stream, without a <see cref="StreamReader"/>'s unbounded
/// <c>ReadLine</c>: a peer that never sends a line break costs at most the limit, then an exception.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, int maxBytes)
{
    private readonly byte[] _chunk = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next line without its line break, or null at the end of the stream.</summary>
    /// <exception cref="ProtocolException">A line longer than the limit, or a partial last line.</exception>
    public byte[]? ReadLine()
    {
        ArrayBufferWriter<byte>? line = null;
        while (true)
        {
            var span = _chunk.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var piece = span[..newline];
                _start += newline + 1;
                if (line is null)
                {
                    return piece.ToArray();
                }

                Append(line, piece);
                return line.WrittenSpan.ToArray();
            }

            if (span.Length > 0)
            {
                line ??= new ArrayBufferWriter<byte>(span.Length * 2);
                Append(line, span);
            }

            _start = 0;
            _end = stream.Read(_chunk, 0, _chunk.Length);
            if (_end == 0)
            {
                return line is null ? null : throw new ProtocolException($"the stream ended inside a line of {line.WrittenCount} bytes");
            }
        }
    }

    private void Append(ArrayBufferWriter<byte> line, ReadOnlySpan<byte> piece)
    {
        if (line.WrittenCount + piece.Length > maxBytes)
        {
            throw new ProtocolException($"a line longer than {maxBytes / (1024 * 1024)} MiB");
        }

        line.Write(piece);
    }
}
