using System.Security.Cryptography;
using System.Text;
using Atmos.Plugins.Aws;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>The plugin's own SHA-1 (used to find the AWS CLI's SSO cache files) against the standard's vectors and the BCL.</summary>
public sealed class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    [InlineData("https://mycompany.awsapps.com/start", "8e291c501aaee706d29e4fad5a143e7ea99be2e4")]
    public void Matches_the_standard_vectors(string text, string expected)
    {
        Assert.Equal(expected, Sha1.OfText(text));
    }

    [Fact]
    public void Matches_the_BCL_at_every_length_around_the_block_boundaries()
    {
        for (var length = 0; length < 300; length++)
        {
            var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i * 7 % 26))));
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text))), Sha1.OfText(text));
        }

        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("ünïcødé ✓ start"))), Sha1.OfText("ünïcødé ✓ start"));
    }
}
