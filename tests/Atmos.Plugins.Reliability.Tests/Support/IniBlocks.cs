using System.Text;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>One section of a generated INI file: an optional comment line describing it, then its header, settings and a blank line.</summary>
/// <param name="Header">The header text, such as <c>profile id-03</c>.</param>
/// <param name="Comment">The comment above it ("" for none). It stays when the section is removed (docs/decisions.md §6).</param>
/// <param name="Section">The header line, the settings and one blank line.</param>
public sealed record IniBlock(string Header, string Comment, string Section);

/// <summary>
/// An INI file built from <see cref="IniBlock"/>s, so the content after removing any set of sections is known without
/// parsing: the removed blocks' sections go, everything else (their comments included) stays byte for byte.
/// </summary>
public sealed class IniBlocks
{
    private readonly List<IniBlock> _blocks;

    public IniBlocks(IEnumerable<IniBlock> blocks) => _blocks = blocks.ToList();

    public IReadOnlyList<IniBlock> Blocks => _blocks;

    /// <summary>The file as written.</summary>
    public byte[] Original => Without([]);

    /// <summary>The file after removing the sections whose headers are in <paramref name="removed"/>.</summary>
    /// <param name="removed">Header texts.</param>
    public byte[] Without(IReadOnlyCollection<string> removed)
    {
        var text = new StringBuilder();
        foreach (var block in _blocks)
        {
            text.Append(block.Comment);
            if (!removed.Contains(block.Header))
            {
                text.Append(block.Section);
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>An AWS credentials section with fake (non-secret) keys.</summary>
    public static IniBlock Credentials(string name, string comment = "") => new(
        name,
        comment,
        $"[{name}]\naws_access_key_id = ASIA{Hash(name)}\naws_secret_access_key = fake-secret-{name}\naws_session_token = fake-token-{name}\n\n");

    /// <summary>An AWS config profile section (<c>[profile name]</c>), with a nested value.</summary>
    public static IniBlock ConfigProfile(string name, string comment = "") => new(
        $"profile {name}",
        comment,
        $"[profile {name}]\nregion = us-east-1\noutput = json\ns3 =\n  max_concurrent_requests = 20\n\n");

    private static string Hash(string name) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
}
