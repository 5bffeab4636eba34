using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Atmos.Plugins.Engine.Keyring.Files;

/// <summary>
/// The cryptography of the file keyring: PBKDF2-SHA256 turns the password and the keyring's salt into a 256-bit key,
/// AES-GCM seals each entry with a fresh random nonce and the entry name as associated data, so an entry file copied
/// over another entry's file does not decrypt.
/// </summary>
internal static class KeyringCipher
{
    /// <summary>
    /// PBKDF2-SHA256 iterations for new keyrings: OWASP's 2021 figure for this hash. About 75 ms on the
    /// development machine (2 cores, .NET 10, OpenSSL); 600 000 took 275 ms there. Stored per keyring, so it can rise.
    /// </summary>
    public const int DefaultIterations = 310_000;

    /// <summary>The smallest and largest iteration counts a keyring's metadata may name.</summary>
    public const int MinIterations = 100_000;

    /// <inheritdoc cref="MinIterations"/>
    public const int MaxIterations = 10_000_000;

    /// <summary>Bytes of salt, key, nonce and tag.</summary>
    public const int SaltSize = 16;

    /// <inheritdoc cref="SaltSize"/>
    public const int KeySize = 32;

    /// <inheritdoc cref="SaltSize"/>
    public const int NonceSize = 12;

    /// <inheritdoc cref="SaltSize"/>
    public const int TagSize = 16;

    /// <summary>The first bytes of every sealed entry: format name and version.</summary>
    public static ReadOnlySpan<byte> Magic => "AKR1"u8;

    /// <summary>The plain text of the password verifier.</summary>
    public static ReadOnlySpan<byte> VerifierText => "atmos keyring password verifier"u8;

    /// <summary>The associated data of the verifier (no entry name can produce it: names are never empty).</summary>
    public static ReadOnlySpan<byte> VerifierContext => ""u8;

    /// <summary>Encrypts <paramref name="plain"/> as <c>magic | nonce | tag | ciphertext</c>.</summary>
    /// <param name="key">The derived key.</param>
    /// <param name="plain">The bytes to seal.</param>
    /// <param name="associated">Data bound to the result without being stored in it (the entry name).</param>
    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> associated)
    {
        var sealedBytes = new byte[Magic.Length + NonceSize + TagSize + plain.Length];
        var span = sealedBytes.AsSpan();
        Magic.CopyTo(span);
        var nonce = span.Slice(Magic.Length, NonceSize);
        var tag = span.Slice(Magic.Length + NonceSize, TagSize);
        var cipher = span[(Magic.Length + NonceSize + TagSize)..];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, cipher, tag, associated);
        return sealedBytes;
    }

    /// <summary>Decrypts what <see cref="Seal"/> produced; null when the bytes are not a valid seal for this key and data.</summary>
    /// <param name="key">The derived key.</param>
    /// <param name="sealedBytes">The stored bytes.</param>
    /// <param name="associated">The associated data used when sealing.</param>
    public static byte[]? TryOpen(byte[] key, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associated)
    {
        var header = Magic.Length + NonceSize + TagSize;
        if (sealedBytes.Length < header || !sealedBytes.StartsWith(Magic))
        {
            return null;
        }

        var plain = new byte[sealedBytes.Length - header];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(
                sealedBytes.Slice(Magic.Length, NonceSize),
                sealedBytes[header..],
                sealedBytes.Slice(Magic.Length + NonceSize, TagSize),
                plain,
                associated);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}

/// <summary>
/// Derived keys by password, salt and iteration count, so the deliberately slow derivation runs once per process
/// however many keyring instances or calls there are.
/// </summary>
internal sealed class DerivedKeyCache
{
    private readonly ConcurrentDictionary<(string Salt, int Iterations, string Password), Lazy<byte[]>> _keys = new();
    private int _derivations;

    /// <summary>The cache the product uses.</summary>
    public static DerivedKeyCache Shared { get; } = new();

    /// <summary>How many derivations actually ran (for tests).</summary>
    public int Derivations => Volatile.Read(ref _derivations);

    /// <summary>The key for these inputs, derived on first request.</summary>
    /// <param name="password">The keyring password.</param>
    /// <param name="salt">The keyring's salt.</param>
    /// <param name="iterations">The keyring's iteration count.</param>
    public byte[] GetOrDerive(string password, byte[] salt, int iterations)
    {
        var entry = _keys.GetOrAdd(
            (Convert.ToBase64String(salt), iterations, password),
            static (inputs, cache) => new Lazy<byte[]>(() => cache.Derive(inputs.Password, Convert.FromBase64String(inputs.Salt), inputs.Iterations)),
            this);
        return entry.Value;
    }

    private byte[] Derive(string password, byte[] salt, int iterations)
    {
        Interlocked.Increment(ref _derivations);
        return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, KeyringCipher.KeySize);
    }
}
