using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;

// The namespace is "Files", not "File": a namespace named File would hide System.IO.File from all keyring code.
namespace Atmos.Plugins.Engine.Keyring.Files;

/// <summary>
/// A keyring for machines without a system keyring (<c>auth.keyring.type: file</c> or <c>ATMOS_KEYRING_TYPE=file</c>):
/// one AES-GCM sealed file per entry in a private folder, keyed by a password from <c>ATMOS_KEYRING_PASSWORD</c>.
/// </summary>
/// <remarks>
/// Layout: <c>keyring.json</c> holds the KDF parameters, the salt and a password verifier; each entry is
/// <c>&lt;hex of the UTF-8 name&gt;.entry</c>. The folder is 0700, files are 0600 and written atomically (temp file,
/// fsync, rename). Every call checks the password against the verifier first, so a wrong password fails clearly and
/// nothing is read, written or removed.
/// </remarks>
public sealed class FileKeyring : IKeyring
{
    /// <summary>The environment variable holding the password.</summary>
    public const string PasswordVariable = "ATMOS_KEYRING_PASSWORD";

    /// <summary>The metadata file's name inside the folder.</summary>
    public const string MetadataFileName = "keyring.json";

    /// <summary>The extension of entry files.</summary>
    public const string EntryExtension = ".entry";

    // 100 bytes of name become 200 hex characters; with ".entry" and AtomicFile's temporary-name decoration
    // (".<name>.<32 hex>.atmos-tmp", 44 more) that stays within the 255-byte file name limit.
    private const int MaxNameBytes = 100;
    private const int FormatVersion = 1;
    private const string Kdf = "pbkdf2-sha256";

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly string? _password;
    private readonly DerivedKeyCache _keys;
    private readonly int _newKeyringIterations;

    /// <summary>Creates the keyring; nothing is read or created until the first call.</summary>
    /// <param name="folder">The folder holding the entries (default <c>$XDG_DATA_HOME/atmos/keyring</c>).</param>
    /// <param name="password">The password from <c>ATMOS_KEYRING_PASSWORD</c>; null or empty fails every call with a clear error.</param>
    public FileKeyring(string folder, string? password)
        : this(folder, password, DerivedKeyCache.Shared, KeyringCipher.DefaultIterations)
    {
    }

    internal FileKeyring(string folder, string? password, DerivedKeyCache keys, int newKeyringIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        _password = password;
        _keys = keys;
        _newKeyringIterations = newKeyringIterations;
    }

    /// <summary>The folder holding the entries.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Backend => "file";

    private string MetadataPath => Path.Combine(Folder, MetadataFileName);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<string>>(
            cancellationToken,
            create: false,
            _ =>
            {
                if (!Directory.Exists(Folder))
                {
                    return [];
                }

                return Directory.EnumerateFiles(Folder, "*" + EntryExtension)
                    .Select(path => TryDecodeFileName(Path.GetFileName(path)))
                    .OfType<string>()
                    .Order(StringComparer.Ordinal)
                    .ToList();
            });

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Run<IReadOnlyDictionary<string, string>>(
            cancellationToken,
            create: false,
            key =>
            {
                var found = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var name in names.Distinct(StringComparer.Ordinal))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var path = EntryPath(name);
                    byte[] sealedBytes;
                    try
                    {
                        sealedBytes = System.IO.File.ReadAllBytes(path);
                    }
                    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                    {
                        continue;
                    }

                    if (key is null)
                    {
                        throw new KeyringUnavailableException(
                            $"keyring metadata {MetadataPath} is missing, so {path} cannot be decrypted",
                            $"restore {MetadataFileName} from a backup, or remove {Folder} to start a new keyring (its entries are lost)");
                    }

                    var plain = KeyringCipher.TryOpen(key, sealedBytes, Encoding.UTF8.GetBytes(name))
                        ?? throw new KeyringOperationException(
                            $"keyring entry file {path} is corrupted (it does not decrypt as entry '{name}')",
                            $"remove {path} and log in again");
                    found[name] = Encoding.UTF8.GetString(plain);
                    CryptographicOperations.ZeroMemory(plain);
                }

                return found;
            });
    }

    /// <inheritdoc />
    /// <remarks>Removing needs no decryption, so a corrupted entry can still be removed (after the password check).</remarks>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var path = EntryPath(name);
        return Run(
            cancellationToken,
            create: false,
            _ => AtomicFile.Edit(path, static _ => FileEdit.Delete, LockTimeout, cancellationToken) == EditOutcome.Deleted);
    }

    /// <inheritdoc />
    public Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var path = EntryPath(name);
        return Run(
            cancellationToken,
            create: true,
            key =>
            {
                var plain = Encoding.UTF8.GetBytes(secret);
                try
                {
                    AtomicFile.Write(path, KeyringCipher.Seal(key!, plain, Encoding.UTF8.GetBytes(name)), LockTimeout, cancellationToken);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(plain);
                }

                return true;
            });
    }

    /// <summary>The file name of an entry: lowercase hex of its UTF-8 name, safe on every file system and case-insensitive ones too.</summary>
    /// <param name="name">The entry name.</param>
    internal static string EncodeFileName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length > MaxNameBytes)
        {
            throw new KeyringOperationException(
                $"entry name is too long for the file keyring ({bytes.Length} bytes, at most {MaxNameBytes})",
                "use a shorter identity or provider name");
        }

        return Convert.ToHexStringLower(bytes) + EntryExtension;
    }

    /// <summary>The entry name of a file name, or null for files that are not entries (lock and temporary files).</summary>
    /// <param name="fileName">A file name in the keyring folder.</param>
    internal static string? TryDecodeFileName(string fileName)
    {
        if (!fileName.EndsWith(EntryExtension, StringComparison.Ordinal))
        {
            return null;
        }

        var hex = fileName[..^EntryExtension.Length];
        if (hex.Length == 0 || hex.Length % 2 != 0 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(Convert.FromHexString(hex));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private string EntryPath(string name) => Path.Combine(Folder, EncodeFileName(name));

    // Checks the password (and, for writes, creates the keyring) before the operation touches anything; maps file
    // system failures to the keyring's failure kinds. File operations are synchronous: the bounded wrapper runs
    // them off the caller's thread.
    private Task<T> Run<T>(CancellationToken cancellationToken, bool create, Func<byte[]?, T> operation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // A null key means there is no keyring yet: nothing to read, and nothing is created by reading.
            return Task.FromResult(operation(OpenKey(create)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not LockTimeoutException)
        {
            throw new KeyringOperationException(
                $"file keyring {Folder}: {ex.Message}",
                "check the folder's owner and permissions, or set auth.keyring.type: system",
                ex);
        }
        catch (LockTimeoutException ex)
        {
            throw new KeyringOperationException(
                ex.Message,
                "wait for the other atmos process to finish and try again",
                ex);
        }
    }

    // The key for this keyring, or null when it does not exist yet and create is false.
    private byte[]? OpenKey(bool create)
    {
        if (string.IsNullOrEmpty(_password))
        {
            throw new KeyringUnavailableException(
                $"no keyring password ({PasswordVariable} is not set)",
                $"export {PasswordVariable} with the file keyring's password, or set auth.keyring.type: system");
        }

        var metadata = ReadMetadata() ?? (create ? CreateMetadata() : null);
        if (metadata is null)
        {
            return null;
        }

        var key = _keys.GetOrDerive(_password, metadata.Salt, metadata.Iterations);
        var verified = KeyringCipher.TryOpen(key, metadata.Verifier, KeyringCipher.VerifierContext);
        if (verified is null || !verified.AsSpan().SequenceEqual(KeyringCipher.VerifierText))
        {
            throw new KeyringUnavailableException(
                $"wrong keyring password ({PasswordVariable})",
                $"set {PasswordVariable} to the password the keyring in {Folder} was created with");
        }

        return key;
    }

    private KeyringMetadata? ReadMetadata()
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(MetadataPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return KeyringMetadata.Parse(bytes) ?? throw new KeyringUnavailableException(
            $"keyring metadata {MetadataPath} is corrupted",
            $"restore it from a backup, or remove {Folder} to start a new keyring (its entries are lost)");
    }

    // Creates keyring.json without ever replacing one: written to a temporary file, flushed, then linked into place
    // with a no-overwrite move. If another process won the race, its metadata is used.
    private KeyringMetadata CreateMetadata()
    {
        AtomicFile.CreateFolder(Folder);
        var salt = RandomNumberGenerator.GetBytes(KeyringCipher.SaltSize);
        var key = _keys.GetOrDerive(_password!, salt, _newKeyringIterations);
        var metadata = new KeyringMetadata(salt, _newKeyringIterations, KeyringCipher.Seal(key, KeyringCipher.VerifierText, KeyringCipher.VerifierContext));
        var temp = Path.Combine(Folder, $".{MetadataFileName}.{Guid.NewGuid():N}{AtomicFile.TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, PrivateFile.Options(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(metadata.ToBytes());
                stream.Flush(flushToDisk: true);
            }

            System.IO.File.Move(temp, MetadataPath, overwrite: false);
            return metadata;
        }
        catch (IOException) when (System.IO.File.Exists(MetadataPath))
        {
            return ReadMetadata()!;
        }
        finally
        {
            System.IO.File.Delete(temp);
        }
    }

    /// <summary>The contents of keyring.json.</summary>
    private sealed record KeyringMetadata(byte[] Salt, int Iterations, byte[] Verifier)
    {
        public static KeyringMetadata? Parse(byte[] bytes)
        {
            try
            {
                var document = JsonSerializer.Deserialize<Document>(bytes, Json);
                if (document is not { Version: FormatVersion, Kdf: Kdf, Salt: not null, Verifier: not null }
                    || document.Iterations is < KeyringCipher.MinIterations or > KeyringCipher.MaxIterations)
                {
                    return null;
                }

                var salt = Convert.FromBase64String(document.Salt);
                return salt.Length == KeyringCipher.SaltSize
                    ? new KeyringMetadata(salt, document.Iterations, Convert.FromBase64String(document.Verifier))
                    : null;
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                return null;
            }
        }

        public byte[] ToBytes() =>
            JsonSerializer.SerializeToUtf8Bytes(
                new Document(FormatVersion, Kdf, Iterations, Convert.ToBase64String(Salt), Convert.ToBase64String(Verifier)),
                Json);

        private sealed record Document(int Version, string? Kdf, int Iterations, string? Salt, string? Verifier);
    }
}
