using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Atmos.Plugins.Aws;

/// <summary>
/// SHA-1 (FIPS 180-4) of a short text, as lower-case hex. Only for the AWS CLI's SSO cache file names, which are the
/// SHA-1 of the start URL or session name: a naming scheme, not a security use. Computed here rather than through
/// System.Security.Cryptography because on Linux that loads and initialises OpenSSL, which costs more start-up than the
/// rest of the plugin's planning (docs/performance.md).
/// </summary>
internal static class Sha1
{
    /// <summary>The SHA-1 of the UTF-8 bytes of <paramref name="text"/>, as 40 lower-case hex digits.</summary>
    public static string OfText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var messageLength = Encoding.UTF8.GetByteCount(text);

        // Padding: a 1 bit, zeros, then the message length in bits as a big-endian 64-bit number; whole 64-byte blocks.
        // A start URL or session name fits on the stack (planning hashes thousands of them with --all).
        var paddedLength = ((messageLength + 8) / 64 + 1) * 64;
        var padded = paddedLength <= 512 ? stackalloc byte[paddedLength] : new byte[paddedLength];
        padded.Clear();
        Encoding.UTF8.GetBytes(text, padded);
        padded[messageLength] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(padded[^8..], (ulong)messageLength * 8);

        uint h0 = 0x67452301, h1 = 0xEFCDAB89, h2 = 0x98BADCFE, h3 = 0x10325476, h4 = 0xC3D2E1F0;
        Span<uint> w = stackalloc uint[80];
        for (var block = 0; block < padded.Length; block += 64)
        {
            for (var i = 0; i < 16; i++)
            {
                w[i] = BinaryPrimitives.ReadUInt32BigEndian(padded.Slice(block + (i * 4), 4));
            }

            for (var i = 16; i < 80; i++)
            {
                w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
            }

            uint a = h0, b = h1, c = h2, d = h3, e = h4;
            for (var i = 0; i < 80; i++)
            {
                uint f, k;
                if (i < 20)
                {
                    f = (b & c) | (~b & d);
                    k = 0x5A827999u;
                }
                else if (i < 40)
                {
                    f = b ^ c ^ d;
                    k = 0x6ED9EBA1u;
                }
                else if (i < 60)
                {
                    f = (b & c) | (b & d) | (c & d);
                    k = 0x8F1BBCDCu;
                }
                else
                {
                    f = b ^ c ^ d;
                    k = 0xCA62C1D6u;
                }

                var next = BitOperations.RotateLeft(a, 5) + f + e + k + w[i];
                e = d;
                d = c;
                c = BitOperations.RotateLeft(b, 30);
                b = a;
                a = next;
            }

            h0 += a;
            h1 += b;
            h2 += c;
            h3 += d;
            h4 += e;
        }

        // Hex by hand, not Convert.ToHexStringLower: its vectorised encoder is not in this framework-dependent plugin's
        // precompiled code and ran JIT-compiled at tier 0, slower than this loop over thousands of names (docs/performance.md).
        Span<char> hex = stackalloc char[40];
        Append(hex, h0);
        Append(hex[8..], h1);
        Append(hex[16..], h2);
        Append(hex[24..], h3);
        Append(hex[32..], h4);
        return new string(hex);
    }

    // A word as 8 lower-case hex digits, most significant first (the digest is the words in big-endian order).
    private static void Append(Span<char> into, uint word)
    {
        for (var i = 7; i >= 0; i--)
        {
            into[i] = "0123456789abcdef"[(int)(word & 0xF)];
            word >>= 4;
        }
    }
}
