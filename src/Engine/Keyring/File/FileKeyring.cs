using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;

// The namespace is "Files", not "File": a namespace named File would hide System.IO.File from all keyring code.
namespace Atmos.Plugins.Engine.Keyring.Files;

/// <summary>
/// A keyring for machines without a system keyring (<c>auth.keyring.type: file</c> or <c>ATMOS_KEYRING_TYPE=file</c>):
/// one encrypted file per entry in one folder, in either of two formats that live side by side there — our own
/// (AES-GCM sealed <c>&lt;hex of the name&gt;.entry</c> files keyed through <c>keyring.json</c>) and atmos's own file
/// backend (99designs/keyring JWE files named by the key, see <see cref="JweEntries"/>).
/// </summary>
/// <remarks>
/// <para>Which format a file is in is decided by its name and its content together, so neither format's operations
/// ever read, rewrite or delete the other's files, or any other file in the folder.</para>
/// <para>Like atmos's file backend, listing, finding and removing need no password; reading a value does. An entry
/// whose value cannot be read (no password, a wrong one, a damaged file) is still listed and found, with a null value.
/// Writing (our format only) needs the password and checks it against <c>keyring.json</c>'s verifier first.</para>
/// <para>Our files: the folder is 0700, files are 0600 and written atomically (temp file, fsync, rename).</para>
/// </remarks>
public sealed class FileKeyring : IKeyring
{
    /// <summary>The environment variable holding the password unless another is named.</summary>
    public const string PasswordVariable = "ATMOS_KEYRING_PASSWORD";

    /// <summary>The metadata file's name inside the folder.</summary>
    public const string MetadataFileName = "keyring.json";

    /// <summary>The extension of our entry files.</summary>
    public const string EntryExtension = ".entry";

    // 100 bytes of name become 200 hex characters; with ".entry" and AtomicFile's temporary-name decoration
    // (".<name>.<32 hex>.atmos-tmp", 44 more) that stays within the 255-byte file name limit.
    private const int MaxNameBytes = 100;
    private const int FormatVersion = 1;
    private const string Kdf = "pbkdf2-sha256";

    // An entry of either format is a few kilobytes; a bigger file is not opened at all.
    private const long MaxEntryBytes = 1 << 20;

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly string? _password;
    private readonly DerivedKeyCache _keys;
    private readonly int _newKeyringIterations;

    /// <summary>Creates the keyring; nothing is read or created until the first call.</summary>
    /// <param name="folder">The folder holding the entries (default <c>$XDG_DATA_HOME/atmos/keyring</c>).</param>
    /// <param name="password">The password from <c>ATMOS_KEYRING_PASSWORD</c>; without one values cannot be read or written.</param>
    public FileKeyring(string folder, string? password)
        : this(folder, password, PasswordVariable)
    {
    }

    /// <summary>Creates the keyring; nothing is read or created until the first call.</summary>
    /// <param name="folder">The folder holding the entries.</param>
    /// <param name="password">The password; without one values cannot be read or written.</param>
    /// <param name="passwordVariable">The environment variable the password came from, for messages.</param>
    public FileKeyring(string folder, string? password, string passwordVariable)
        : this(folder, password, passwordVariable, DerivedKeyCache.Shared, KeyringCipher.DefaultIterations)
    {
    }

    internal FileKeyring(string folder, string? password, DerivedKeyCache keys, int newKeyringIterations)
        : this(folder, password, PasswordVariable, keys, newKeyringIterations)
    {
    }

    private FileKeyring(string folder, string? password, string passwordVariable, DerivedKeyCache keys, int newKeyringIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(passwordVariable);
        Folder = Path.GetFullPath(folder);
        PasswordSource = passwordVariable;
        _password = string.IsNullOrEmpty(password) ? null : password;
        _keys = keys;
        _newKeyringIterations = newKeyringIterations;
    }

    /// <summary>The folder holding the entries.</summary>
    public string Folder { get; }

    /// <summary>The environment variable the password is read from.</summary>
    public string PasswordSource { get; }

    /// <inheritdoc />
    public string Backend => "file";

    private string MetadataPath => Path.Combine(Folder, MetadataFileName);

    /// <inheritdoc />
    /// <remarks>Both formats' entries, from one pass over the folder; needs no password.</remarks>
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<string>>(
            cancellationToken,
            () => Scan(cancellationToken).Select(entry => entry.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());

    /// <inheritdoc />
    /// <remarks>
    /// One pass over the folder finds every wanted entry of both formats; only those are then read. Of a name stored in
    /// both formats, the most recently written file wins. A value that cannot be read comes back as null.
    /// </remarks>
    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Run<IReadOnlyDictionary<string, string?>>(
            cancellationToken,
            () =>
            {
                var found = new Dictionary<string, string?>(StringComparer.Ordinal);
                var wanted = names.ToHashSet(StringComparer.Ordinal);
                if (wanted.Count == 0)
                {
                    return found;
                }

                var sealingKey = new Lazy<byte[]?>(TryOpenKey);
                foreach (var stored in Scan(cancellationToken).Where(entry => wanted.Contains(entry.Name)).GroupBy(entry => entry.Name, StringComparer.Ordinal))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    found[stored.Key] = Read(stored.MaxBy(entry => entry.Modified)!, sealingKey);
                }

                return found;
            });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Removes the name's file in each format where one exists under exactly that name and its content is that
    /// format's; needs no password, so a damaged or unreadable entry can still be removed.
    /// </remarks>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Run(
            cancellationToken,
            () =>
            {
                var removed = false;
                foreach (var (fileName, format) in FileNames(name))
                {
                    if (!ExistsExactly(fileName))
                    {
                        continue;
                    }

                    if (format == EntryFormat.Jwe)
                    {
                        removed |= RemoveAtmosEntry(fileName);
                        continue;
                    }

                    var outcome = AtomicFile.Edit(
                        Path.Combine(Folder, fileName),
                        content => IsFormat(format, content) ? FileEdit.Delete : FileEdit.Unchanged,
                        LockTimeout,
                        cancellationToken);
                    removed |= outcome == EditOutcome.Deleted;
                }

                return removed;
            });
    }

    /// <inheritdoc />
    /// <remarks>Writes our own format; refuses to replace a file of that name that is not ours.</remarks>
    public Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var path = Path.Combine(Folder, EncodeFileName(name));
        return Run(
            cancellationToken,
            () =>
            {
                var plain = Encoding.UTF8.GetBytes(secret);
                try
                {
                    var sealedBytes = KeyringCipher.Seal(OpenKeyForWriting(), plain, Encoding.UTF8.GetBytes(name));
                    var outcome = AtomicFile.Edit(
                        path,
                        current => IsFormat(EntryFormat.Sealed, current)
                            ? FileEdit.Replace(sealedBytes)
                            : throw new KeyringOperationException($"{path} is not a file keyring entry", $"move {path} out of {Folder}"),
                        LockTimeout,
                        cancellationToken);
                    if (outcome == EditOutcome.Missing)
                    {
                        AtomicFile.Write(path, sealedBytes, LockTimeout, cancellationToken);
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(plain);
                }

                return true;
            });
    }

    /// <summary>The file name of an entry in our format: lowercase hex of its UTF-8 name, safe on every file system and case-insensitive ones too.</summary>
    /// <param name="name">The entry name.</param>
    /// <exception cref="KeyringOperationException">The name is longer than our format allows.</exception>
    internal static string EncodeFileName(string name) =>
        TryEncodeFileName(name) ?? throw new KeyringOperationException(
            $"entry name is too long for the file keyring ({Encoding.UTF8.GetByteCount(name)} bytes, at most {MaxNameBytes})",
            "use a shorter identity or provider name");

    /// <summary>The entry name of one of our file names, or null for files that are not (lock and temporary files, atmos's files).</summary>
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

    // Null when the name is longer than our format allows: such an entry can only exist in atmos's format.
    private static string? TryEncodeFileName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length > MaxNameBytes ? null : Convert.ToHexStringLower(bytes) + EntryExtension;
    }

    // atmos's file backend (99designs/keyring) takes no lock, and lists every file of the folder as an entry: a lock
    // file left beside its entries would become an entry to it. So its files are checked through the folder's
    // descriptor (never through a link, never a FIFO) and unlinked there, without a lock file.
    private bool RemoveAtmosEntry(string fileName)
    {
        using var folder = FolderHandle.Open(Folder);
        try
        {
            return IsFormat(EntryFormat.Jwe, folder.ReadFile(fileName)) && folder.Unlink(fileName);
        }
        catch (FileNotFoundException)
        {
            return false; // gone since it was found
        }
    }

    private static IEnumerable<(string FileName, EntryFormat Format)> FileNames(string name)
    {
        if (TryEncodeFileName(name) is { } sealedName)
        {
            yield return (sealedName, EntryFormat.Sealed);
        }

        if (JweEntries.FileName(name) is { } jweName)
        {
            yield return (jweName, EntryFormat.Jwe);
        }
    }

    private static bool IsFormat(EntryFormat format, ReadOnlySpan<byte> content) => format switch
    {
        EntryFormat.Sealed => content.StartsWith(KeyringCipher.Magic),
        _ => JweEntries.IsJwe(content[..Math.Min(content.Length, JweEntries.HeaderBytes)]),
    };

    // Our own bookkeeping files, never entries of either format even when they cannot be opened to check.
    private static bool IsBookkeeping(string fileName) =>
        fileName == MetadataFileName || fileName.EndsWith(".lock", StringComparison.Ordinal) || fileName.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal);

    // The first bytes of a file: null when it cannot be opened (permission denied), empty when it vanished.
    private static byte[]? ReadHead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            var head = new byte[JweEntries.HeaderBytes];
            return head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    // One pass over the folder: every file that is an entry of either format. Links are not followed, and empty or
    // special files (FIFOs, sockets: size 0) are never opened.
    private List<StoredEntry> Scan(CancellationToken cancellationToken)
    {
        if (System.IO.File.Exists(Folder))
        {
            throw new KeyringUnavailableException(
                $"the file keyring folder {Folder} is a file",
                "point ATMOS_KEYRING_FILE_PATH or auth.keyring.spec.path at a folder");
        }

        var entries = new List<StoredEntry>();
        if (!Directory.Exists(Folder))
        {
            return entries;
        }

        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LinkTarget is not null || file.Length is 0 or > MaxEntryBytes)
            {
                continue;
            }

            var sealedName = TryDecodeFileName(file.Name);
            var jweKey = JweEntries.TryKey(file.Name);
            var head = ReadHead(file.FullName);
            if (head is null)
            {
                // Present but not ours to open: classified by name alone, so removing it reports the real problem.
                var name = sealedName ?? (IsBookkeeping(file.Name) ? null : jweKey);
                if (name is not null)
                {
                    entries.Add(new StoredEntry(name, file.FullName, sealedName is null ? EntryFormat.Jwe : EntryFormat.Sealed, file.LastWriteTimeUtc, Openable: false));
                }
            }
            else if (sealedName is not null && IsFormat(EntryFormat.Sealed, head))
            {
                entries.Add(new StoredEntry(sealedName, file.FullName, EntryFormat.Sealed, file.LastWriteTimeUtc, Openable: true));
            }
            else if (jweKey is not null && IsFormat(EntryFormat.Jwe, head))
            {
                entries.Add(new StoredEntry(jweKey, file.FullName, EntryFormat.Jwe, file.LastWriteTimeUtc, Openable: true));
            }
        }

        return entries;
    }

    // The value of one entry, or null when it cannot be read.
    private string? Read(StoredEntry entry, Lazy<byte[]?> sealingKey)
    {
        if (!entry.Openable || _password is null)
        {
            return null;
        }

        byte[] content;
        try
        {
            content = System.IO.File.ReadAllBytes(entry.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (entry.Format == EntryFormat.Jwe)
        {
            return JweEntries.TryOpen(content, _password);
        }

        if (sealingKey.Value is not { } key || KeyringCipher.TryOpen(key, content, Encoding.UTF8.GetBytes(entry.Name)) is not { } plain)
        {
            return null;
        }

        var secret = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return secret;
    }

    // Whether the folder holds a file of exactly this name (a case-insensitive file system would also answer for
    // another case, and another name's entry must not be removed for this one).
    private bool ExistsExactly(string fileName)
    {
        if (!Directory.Exists(Folder))
        {
            return false;
        }

        var info = new FileInfo(Path.Combine(Folder, fileName));
        if (!info.Exists && info.LinkTarget is null)
        {
            return false;
        }

        return new DirectoryInfo(Folder).EnumerateFileSystemInfos(fileName, new EnumerationOptions { MatchType = MatchType.Simple, MatchCasing = MatchCasing.CaseSensitive })
            .Any(candidate => string.Equals(candidate.Name, fileName, StringComparison.Ordinal) && (candidate.LinkTarget is not null || ((FileInfo)candidate).Length > 0));
    }

    // Maps file system failures to the keyring's failure kinds. File operations are synchronous: the bounded wrapper
    // runs them off the caller's thread.
    private Task<T> Run<T>(CancellationToken cancellationToken, Func<T> operation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(operation());
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

    // The key of our format for reading, or null when values cannot be read: no password, no or damaged keyring.json,
    // a password that does not match its verifier.
    private byte[]? TryOpenKey()
    {
        if (_password is null)
        {
            return null;
        }

        try
        {
            return ReadMetadata() is { } metadata ? VerifiedKey(metadata) : null;
        }
        catch (KeyringUnavailableException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The key of our format for writing: the password must be there and match; the keyring is created if needed.
    private byte[] OpenKeyForWriting()
    {
        if (_password is null)
        {
            throw new KeyringUnavailableException(
                $"no keyring password ({PasswordSource} is not set)",
                $"export {PasswordSource} with the file keyring's password, or set auth.keyring.type: system");
        }

        return VerifiedKey(ReadMetadata() ?? CreateMetadata());
    }

    private byte[] VerifiedKey(KeyringMetadata metadata)
    {
        var key = _keys.GetOrDerive(_password!, metadata.Salt, metadata.Iterations);
        var verified = KeyringCipher.TryOpen(key, metadata.Verifier, KeyringCipher.VerifierContext);
        if (verified is null || !verified.AsSpan().SequenceEqual(KeyringCipher.VerifierText))
        {
            throw new KeyringUnavailableException(
                $"wrong keyring password ({PasswordSource})",
                $"set {PasswordSource} to the password the keyring in {Folder} was created with");
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

    /// <summary>The two formats an entry file can be in.</summary>
    private enum EntryFormat
    {
        /// <summary>Ours: <c>&lt;hex&gt;.entry</c>, AES-GCM sealed with the key of <c>keyring.json</c>.</summary>
        Sealed,

        /// <summary>atmos's: a JWE file named by the key.</summary>
        Jwe,
    }

    /// <summary>One entry file found in the folder.</summary>
    /// <param name="Name">The entry name.</param>
    /// <param name="Path">The file.</param>
    /// <param name="Format">Its format.</param>
    /// <param name="Modified">When it was last written, to pick the newest of a name stored in both formats.</param>
    /// <param name="Openable">False when the file could not be opened (permission denied): its value cannot be read.</param>
    private sealed record StoredEntry(string Name, string Path, EntryFormat Format, DateTime Modified, bool Openable);

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
