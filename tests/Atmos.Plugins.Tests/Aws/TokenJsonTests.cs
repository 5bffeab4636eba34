using System.Text;
using System.Text.Json;
using Atmos.Plugins.Aws;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>
/// The forward-only read of a token file's <c>startUrl</c> gives what the document reader gives (the reading it
/// replaced): same start URL, same "not JSON", same "not an object", on well-formed and broken files alike.
/// </summary>
public sealed class TokenJsonTests
{
    [Theory]
    [InlineData("{\"startUrl\": \"https://a.awsapps.com/start\", \"accessToken\": \"x\"}")]
    [InlineData("{\"accessToken\": \"x\", \"nested\": {\"startUrl\": \"https://nested\"}, \"startUrl\": \"https://a\"}")]
    [InlineData("{\"startUrl\": \"https://first\", \"startUrl\": \"https://last\"}")]
    [InlineData("{\"startUrl\": \"https://first\", \"startUrl\": 7}")]
    [InlineData("{\"startUrl\": 7, \"startUrl\": \"https://last\"}")]
    [InlineData("{\"start\\u0055rl\": \"https://escaped-name\"}")]
    [InlineData("{\"startUrl\": \"https://esc\\u0061ped\\/value\"}")]
    [InlineData("{\"startUrl\": null}")]
    [InlineData("{\"starturl\": \"https://other-case\"}")]
    [InlineData("{\"list\": [1, {\"startUrl\": \"x\"}, [2]], \"startUrl\": \"https://after-array\"}")]
    [InlineData("{}")]
    [InlineData("  {\"startUrl\": \"https://spaced\"}  \n")]
    [InlineData("[\"startUrl\", \"https://array\"]")]
    [InlineData("\"https://just-a-string\"")]
    [InlineData("42")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"startUrl\": \"https://a\"")]
    [InlineData("{\"startUrl\": \"https://a\"}}")]
    [InlineData("{\"startUrl\": \"https://a\"} {\"startUrl\": \"https://b\"}")]
    [InlineData("{\"startUrl\": \"https://a\",}")]
    [InlineData("{/* comment */ \"startUrl\": \"https://a\"}")]
    [InlineData("{'startUrl': 'https://a'}")]
    [InlineData("not json at all")]
    public void Agrees_with_the_document_reader(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var read = SsoTokenCache.TokenJson.Read(bytes);

        Assert.Equal(Reference(bytes), (read.IsWhole, read.IsObject, read.StartUrl));
    }

    [Fact]
    public void Agrees_with_the_document_reader_on_every_truncation_of_a_real_token_file()
    {
        var token = "{\"startUrl\": \"https://mycompany.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"aoa\\u0041bc\", \"expiresAt\": \"2026-11-25T10:00:00Z\", \"clientSecret\": {\"k\": [1, 2, {\"z\": null}]}}";
        var bytes = Encoding.UTF8.GetBytes(token);
        for (var length = 0; length <= bytes.Length; length++)
        {
            var read = SsoTokenCache.TokenJson.Read(bytes.AsSpan(0, length));
            Assert.Equal(Reference(bytes[..length]), (read.IsWhole, read.IsObject, read.StartUrl));
        }
    }

    [Fact]
    public void A_start_url_that_is_not_valid_text_makes_the_file_unreadable_instead_of_throwing()
    {
        byte[] bytes = [.. "{\"startUrl\": \"https://"u8, 0xC3, 0x28, .. "\"}"u8];

        var read = SsoTokenCache.TokenJson.Read(bytes);

        Assert.False(read.IsWhole);
        Assert.Null(read.StartUrl);
    }

    // The reading this replaced: a JSON document, its root an object, its "startUrl" property if a string.
    private static (bool IsWhole, bool IsObject, string? StartUrl) Reference(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (true, false, null);
            }

            return (true, true, root.TryGetProperty("startUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null);
        }
        catch (JsonException)
        {
            return (false, false, null);
        }
    }
}
