using System.Diagnostics;
using System.Text;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Projections;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// atmos.yaml fuzzed every way we could think of, through the in-process CLI: each run ends with exit 2 and the error
/// on one line (or exit 0 where the input happens to be valid), never a stack trace, an exception or a hang.
/// </summary>
public sealed class ConfigFuzzTests : IDisposable
{
    private readonly SeededTree _tree = new();
    private readonly ITestOutputHelper _output;

    public ConfigFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _tree.Dispose();

    private static byte[] Realistic => Encoding.UTF8.GetBytes(AwsTree.Config + "\n");

    [Fact]
    public async Task The_realistic_file_is_valid()
    {
        var result = await Logout(Realistic);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Dry run mode: No credentials will be removed", result.Lines[0]);
    }

    [Fact]
    public async Task Truncated_at_every_byte()
    {
        var full = Realistic;
        var exits = new int[3];
        for (var cut = 0; cut < full.Length; cut++)
        {
            var result = await Logout(full[..cut]);
            CliChecks.AssertCleanOutcome(result, $"the realistic atmos.yaml cut at byte {cut}");
            exits[result.ExitCode]++;
        }

        _output.WriteLine($"{full.Length} truncations: {exits[0]} valid, {exits[2]} refused");
        Assert.True(exits[2] > 0 && exits[0] > 0);
    }

    [Fact]
    public async Task Wrong_types_in_every_position()
    {
        YamlNode[] replacements =
        [
            new YamlSequenceNode(),
            new YamlMappingNode(new YamlScalarNode("kind"), new YamlSequenceNode(new YamlScalarNode("1"), new YamlMappingNode())),
            new YamlScalarNode("42"),
            new YamlScalarNode("null"),
            new YamlScalarNode(string.Empty) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
            new YamlScalarNode("first line\nINJECTED second line\u001b[31m\u0007" + new string('x', 5_000)) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
        ];
        var runs = 0;
        foreach (var variant in Variants(Load(AwsTree.Config), replacements))
        {
            var yaml = Save(variant);
            var result = await Logout(Encoding.UTF8.GetBytes(yaml));
            CliChecks.AssertCleanOutcome(result, yaml);
            AssertNoInjectedLine(result, yaml);
            runs++;
        }

        _output.WriteLine($"{runs} variants");
        Assert.True(runs > 900, $"only {runs} variants");
    }

    [Fact]
    public async Task Every_value_with_a_newline_or_control_characters_stays_on_its_line_in_validate()
    {
        var runs = 0;
        foreach (var variant in Variants(Load(AwsTree.Config), [new YamlScalarNode("bad\nINJECTED line\u001b]0;title\u0007\r") { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted }]))
        {
            var yaml = Save(variant);
            File.WriteAllText(_tree.Config, yaml);
            var result = await _tree.Cli.RunBounded("auth", "validate", "--config", _tree.Config);
            CliChecks.AssertCleanOutcome(result, yaml, errorStart: "✗ ");
            AssertNoInjectedLine(result, yaml);
            runs++;
        }

        Assert.True(runs > 100);
    }

    [Fact]
    public async Task Random_bytes_and_yaml_token_soup()
    {
        var random = Trials.Random(_output.WriteLine);
        string[] tokens = ["auth:", "providers:", "identities:", "keyring:", "kind: aws/saml", "kind: aws/user", "via:", "provider: p", "identity: i", "p:", "i:", "\n", "\n  ", "\n    ", "  ", "- ", "&a ", "*a", "&b ", "*b", "{", "}", "[", "]", ",", ": ", "!!str ", "!!map ", "!custom ", "%YAML 1.2\n", "---\n", "...\n", "|\n", ">-\n", "\"", "'", "# c", "\t", "<<: *a", "? ", "\0", "\r", "\u00e9", "😀", "\uFEFF", "@", "`", "%"];
        for (var i = 0; i < Trials.Count(400); i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 600)];
                random.NextBytes(input);
            }
            else
            {
                input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 80)).Select(_ => tokens[random.Next(tokens.Length)])));
            }

            var result = await Logout(input);
            CliChecks.AssertCleanOutcome(result, Convert.ToBase64String(input));
        }
    }

    [Fact]
    public async Task Invalid_utf8_and_other_encodings()
    {
        var random = Trials.Random(_output.WriteLine);
        var full = Realistic;
        var inputs = new List<byte[]>
        {
            Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(AwsTree.Config)).ToArray(),
            Encoding.UTF32.GetPreamble().Concat(Encoding.UTF32.GetBytes(AwsTree.Config)).ToArray(),
            Encoding.Latin1.GetBytes(AwsTree.Config.Replace("ci-user", "ci-usér", StringComparison.Ordinal)),
        };
        byte[][] invalid = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x00]];
        for (var i = 0; i < 60; i++)
        {
            var at = random.Next(full.Length);
            inputs.Add([.. full[..at], .. invalid[i % invalid.Length], .. full[at..]]);
        }

        foreach (var input in inputs)
        {
            CliChecks.AssertCleanOutcome(await Logout(input), Convert.ToBase64String(input));
        }
    }

    [Theory]
    [InlineData("flow sequences", 100_000)]
    [InlineData("flow mappings", 20_000)]
    [InlineData("block mappings", 2_000)]
    [InlineData("block sequences", 2_000)]
    public async Task Deep_nesting_is_refused(string shape, int depth)
    {
        var nested = shape switch
        {
            "flow sequences" => "x: " + new string('[', depth) + new string(']', depth),
            "flow mappings" => "x: " + string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth),
            "block mappings" => string.Concat(Enumerable.Range(0, depth).Select(d => new string(' ', 2 * d) + "a:\n")) + new string(' ', 2 * depth) + "b: 1",
            _ => string.Concat(Enumerable.Range(0, depth).Select(d => new string(' ', 2 * d) + "-\n")) + new string(' ', 2 * depth) + "1",
        };
        var yaml = $"{nested}\nauth:\n  providers:\n    p: {{kind: aws/saml, region: x}}\n";

        var result = await Logout(Encoding.UTF8.GetBytes(yaml));

        CliChecks.AssertCleanOutcome(result, shape);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nesting is deeper than 64 levels", result.Lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a bomb as a value")]
    [InlineData("a bomb as a key")]
    [InlineData("a bomb in a merge key")]
    [InlineData("a wide bomb")]
    [InlineData("a self-referencing mapping")]
    [InlineData("a self-referencing sequence")]
    [InlineData("a cycle through a key")]
    [InlineData("a forward alias")]
    [InlineData("an undefined alias")]
    [InlineData("an anchor redefined inside itself")]
    public async Task Alias_bombs_and_cycles_are_refused(string shape)
    {
        var bomb = string.Join('\n', Enumerable.Range(0, 10).Select(i => i == 0 ? "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]"));
        var yaml = shape switch
        {
            "a bomb as a value" => bomb + "\nauth:\n  providers:\n    p: {kind: aws/saml, region: x, extra: *a9}\n",
            "a bomb as a key" => bomb + "\nauth:\n  providers:\n    ? *a9\n    : {kind: aws/saml}\n",
            "a bomb in a merge key" => bomb + "\nauth:\n  providers:\n    p:\n      <<: *a9\n      kind: aws/saml\n",
            "a wide bomb" => "a: &a [" + string.Join(", ", Enumerable.Repeat("x", 1000)) + "]\nb: &b [" + string.Join(", ", Enumerable.Repeat("*a", 1000)) + "]\nauth: {}\n",
            "a self-referencing mapping" => "auth:\n  providers: &x\n    p:\n      kind: aws/saml\n      region: x\n      self: *x\n",
            "a self-referencing sequence" => "auth:\n  providers:\n    p: &x\n      kind: aws/saml\n      region: x\n      self: [*x]\n",
            "a cycle through a key" => "auth:\n  providers:\n    ? &k [*k]\n    : x\n",
            "a forward alias" => "auth:\n  providers:\n    p: {kind: aws/saml, region: *r}\nr: &r x\n",
            "an undefined alias" => "auth:\n  providers:\n    p: {kind: aws/saml, region: *nowhere}\n",
            _ => "a: &x [ &x 1, *x ]\nauth:\n  providers:\n    p: {kind: aws/saml, region: x, v: *x}\n",
        };

        var clock = Stopwatch.StartNew();
        var result = await Logout(Encoding.UTF8.GetBytes(yaml));

        CliChecks.AssertCleanOutcome(result, yaml);
        Assert.Equal(2, result.ExitCode);
        Assert.Matches("alias", result.Lines[0]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Huge_files_are_refused_or_read_quickly()
    {
        var padding = new StringBuilder();
        while (padding.Length < AuthConfigLoader.MaxBytes + 10)
        {
            padding.Append("# padding padding padding padding padding padding padding padding padding padding\n");
        }

        // Over the limit: refused before parsing.
        var tooBig = await Logout(Encoding.UTF8.GetBytes(AwsTree.Config + "\n" + padding));
        CliChecks.AssertCleanOutcome(tooBig, "a 4 MiB file");
        Assert.Equal(2, tooBig.ExitCode);
        Assert.Contains("atmos.yaml may be at most 4 MiB", tooBig.Lines[0], StringComparison.Ordinal);

        // Just under it: comments, one long scalar, many unrelated values, many identities.
        var underLimit = AuthConfigLoader.MaxBytes - AwsTree.Config.Length - 1000;
        string[] inputs =
        [
            AwsTree.Config + "\n" + padding.ToString(0, underLimit),
            AwsTree.Config + "\n    huge:\n      kind: " + new string('k', underLimit) + "\n",
            "other: [" + string.Join(",", Enumerable.Repeat("1", underLimit / 2 - 10)) + "]\n" + AwsTree.Config,
            AwsTree.Config + "\n" + string.Concat(Enumerable.Range(0, 15_000).Select(i => $"    extra-{i}:\n      kind: aws/user\n")),
        ];
        foreach (var yaml in inputs)
        {
            var clock = Stopwatch.StartNew();
            var result = await Logout(Encoding.UTF8.GetBytes(yaml));
            _output.WriteLine($"{yaml.Length / 1024} KiB: exit {result.ExitCode} in {clock.ElapsedMilliseconds} ms: {result.Lines[0][..Math.Min(120, result.Lines[0].Length)]}");
            CliChecks.AssertCleanOutcome(result, yaml[..200]);
            Assert.All(result.Lines, line => Assert.True(line.Length <= TerminalText.MaxLineLength + 40, $"a {line.Length}-character line"));
        }
    }

    private async Task<CliResult> Logout(byte[] yaml)
    {
        await File.WriteAllBytesAsync(_tree.Config, yaml);
        return await _tree.Cli.RunBounded("auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config);
    }

    private static void AssertNoInjectedLine(CliResult result, string yaml) =>
        Assert.False(
            (result.Stderr + result.Stdout).Split('\n').Any(line => line.StartsWith("INJECTED", StringComparison.Ordinal)),
            $"a value's newline broke an output line\ninput:\n{yaml}\nstderr:\n{result.Stderr}");

    private static YamlNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }

    private static string Save(YamlNode root)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    // The tree with one node (a key, a value or an item, at any depth) replaced, for every node and replacement.
    private static IEnumerable<YamlNode> Variants(YamlNode node, IReadOnlyList<YamlNode> replacements)
    {
        foreach (var replacement in replacements)
        {
            yield return replacement;
        }

        switch (node)
        {
            case YamlMappingNode map:
                var entries = map.Children.ToList();
                for (var i = 0; i < entries.Count; i++)
                {
                    foreach (var key in Variants(entries[i].Key, replacements).Where(k => !entries.Any(e => e.Key.Equals(k))))
                    {
                        yield return Rebuild(entries, i, key, entries[i].Value);
                    }

                    foreach (var value in Variants(entries[i].Value, replacements))
                    {
                        yield return Rebuild(entries, i, entries[i].Key, value);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    foreach (var item in Variants(sequence.Children[i], replacements))
                    {
                        yield return new YamlSequenceNode(sequence.Children.Select((c, j) => j == i ? item : c)) { Style = sequence.Style };
                    }
                }

                break;
        }
    }

    private static YamlMappingNode Rebuild(List<KeyValuePair<YamlNode, YamlNode>> entries, int index, YamlNode key, YamlNode value) =>
        new(entries.Select((e, j) => j == index ? new KeyValuePair<YamlNode, YamlNode>(key, value) : e));
}
