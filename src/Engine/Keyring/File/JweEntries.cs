using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jose;

namespace Atmos.Plugins.Engine.Keyring.Files;

/// <summary>
/// The entries of atmos's own file backend (<c>pkg/keyring/file.go</c>: 99designs/keyring's FileBackend), which share
/// the file keyring's folder with our own format: one file per key, named by 99designs' <c>filenameEscape</c> (the key
/// with <c>%</c> and <c>/</c> percent-encoded), holding a compact JWE (jose2go, <c>PBES2-HS256+A128KW</c> with
/// <c>A256GCM</c>, a 12-byte salt and 8192 iterations in the header) of the JSON item
/// <c>{"Key":…,"Data":"&lt;base64 of the value&gt;",…}</c>.
/// </summary>
/// <remarks>
/// A file is one of these entries only when its name is the escape of some key and its content starts with a JWE
/// protected header naming a PBES2 algorithm; everything else in the folder (our own files, lock files, a user's files)
/// is not, so it is never read as, or deleted as, an atmos entry. Reading and deleting need no password (99designs
/// neither lists nor removes with one); only the value does.
/// </remarks>
internal static class JweEntries
{
    /// <summary>The key management algorithm 99designs writes.</summary>
    public const string Algorithm = "PBES2-HS256+A128KW";

    /// <summary>The content encryption 99designs writes.</summary>
    public const string Encryption = "A256GCM";

    /// <summary>How many bytes of a file are enough to recognise the protected header (99designs' is about 200).</summary>
    public const int HeaderBytes = 4096;

    // jose2go refuses more PBKDF2 iterations than this for PBES2-HS256+A128KW, so atmos cannot have written more; the
    // cap also keeps a hostile file from making us derive for minutes.
    private const int MaxIterations = 1_300_000;

    private static readonly Lazy<JwtSettings> Settings = new(() => new JwtSettings().RegisterJwa(
        JweAlgorithm.PBES2_HS256_A128KW,
        new Pbse2HmacShaKeyManagementWithAesKeyWrap(128, new AesKeyWrapManagement(128), MaxIterations, 0)));

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file name 99designs gives <paramref name="key"/> (<c>filenameEscape</c>), or null when no file can have that
    /// name here (<c>.</c>, <c>..</c>, a character the file system refuses, longer than 255 bytes).
    /// </summary>
    /// <param name="key">The keyring key.</param>
    public static string? FileName(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var name = Escape(key);
        return name is "." or ".." || name.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Encoding.UTF8.GetByteCount(name) > 255
            ? null
            : name;
    }

    /// <summary>
    /// The key of a file name (<c>filenameUnescape</c>), or null when 99designs would never write that name: only the
    /// escape of a key is one of its file names, so <c>a%2fb</c> (lower-case hex) or <c>50%</c> is not.
    /// </summary>
    /// <param name="fileName">A file name in the folder.</param>
    public static string? TryKey(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileName.Length == 0)
        {
            return null;
        }

        var key = Unescape(fileName);
        return key is not null && key.Length > 0 && string.Equals(Escape(key), fileName, StringComparison.Ordinal) ? key : null;
    }

    /// <summary>
    /// Whether <paramref name="head"/> (the first <see cref="HeaderBytes"/> bytes of a file, or all of a shorter one)
    /// starts a compact JWE whose protected header names a PBES2 algorithm and an encryption.
    /// </summary>
    /// <param name="head">The start of the file.</param>
    public static bool IsJwe(ReadOnlySpan<byte> head)
    {
        var dot = head.IndexOf((byte)'.');
        if (dot <= 0)
        {
            return false;
        }

        var encoded = head[..dot];
        var header = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (System.Buffers.Text.Base64Url.DecodeFromUtf8(encoded, header, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(header.AsMemory(0, written));
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String
                && alg.GetString()!.StartsWith("PBES2-", StringComparison.Ordinal)
                && root.TryGetProperty("enc", out var enc) && enc.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The value stored in an entry file, or null when it cannot be read with <paramref name="password"/> (wrong
    /// password, another algorithm, a damaged file).
    /// </summary>
    /// <param name="content">The whole file.</param>
    /// <param name="password">The keyring password.</param>
    public static string? TryOpen(byte[] content, string password)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(password);
        byte[]? payload = null;
        byte[]? data = null;
        try
        {
            payload = JWT.DecodeBytes(Encoding.ASCII.GetString(content).Trim(), password, JweAlgorithm.PBES2_HS256_A128KW, JweEncryption.A256GCM, Settings.Value);
            using var item = JsonDocument.Parse(payload);
            if (item.RootElement.ValueKind != JsonValueKind.Object || !item.RootElement.TryGetProperty("Data", out var value))
            {
                return null;
            }

            // Go marshals []byte as base64, and an empty or nil value as "" or null.
            if (value.ValueKind == JsonValueKind.Null)
            {
                return string.Empty;
            }

            data = value.ValueKind == JsonValueKind.String ? value.GetBytesFromBase64() : null;
            return data is null ? null : Encoding.UTF8.GetString(data);
        }
        catch (Exception ex) when (ex is JoseException or JsonException or FormatException or ArgumentException or CryptographicException or InvalidOperationException)
        {
            // Untrusted bytes that do not open with this password: the entry is there, its value is not readable.
            return null;
        }
        finally
        {
            if (payload is not null)
            {
                CryptographicOperations.ZeroMemory(payload);
            }

            if (data is not null)
            {
                CryptographicOperations.ZeroMemory(data);
            }
        }
    }

    // github.com/mtibben/percent Encode(s, "/"): every byte of '%' and '/' as %XX with upper-case hex, all else as is.
    private static string Escape(string key)
    {
        if (key.AsSpan().IndexOfAny('%', '/') < 0)
        {
            return key;
        }

        var escaped = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            _ = c switch
            {
                '%' => escaped.Append("%25"),
                '/' => escaped.Append("%2F"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    // percent.Decode: each "%" followed by two hex digits (either case) becomes that byte; null when the bytes are not UTF-8.
    private static string? Unescape(string fileName)
    {
        if (!fileName.Contains('%', StringComparison.Ordinal))
        {
            return fileName;
        }

        var bytes = Encoding.UTF8.GetBytes(fileName);
        var decoded = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '%' && i + 2 < bytes.Length && char.IsAsciiHexDigit((char)bytes[i + 1]) && char.IsAsciiHexDigit((char)bytes[i + 2]))
            {
                decoded.Add(Convert.ToByte(Encoding.ASCII.GetString(bytes, i + 1, 2), 16));
                i += 2;
            }
            else
            {
                decoded.Add(bytes[i]);
            }
        }

        try
        {
            return StrictUtf8.GetString(decoded.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
