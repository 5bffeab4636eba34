using System.Text;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// A sample of the fuzzed inputs through the published atmos, where an unhandled exception, a stack overflow or a hang
/// would show as a crash exit code, a trace on standard error or a time-out.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class PublishedBadInputTests : IDisposable
{
    private readonly PublishedAtmos _atmos;
    private readonly SeededTree _tree = new();

    public PublishedBadInputTests(PublishedAtmos atmos) => _atmos = atmos;

    public void Dispose() => _tree.Dispose();

    // Files that cannot be read as a whole: the run is refused.
    public static TheoryData<string> Configs() =>
    [
        "a self-referencing alias", "an alias bomb as a key", "an alias bomb as a value", "deep flow nesting", "deep block nesting",
        "a scanner failure", "truncated mid-way", "random bytes", "just over 4 MiB",
    ];

    // Files whose damage is in some entries (a name, a kind): those entries fail, the rest is logged out.
    public static TheoryData<string> EntryDamage() =>
    [
        "invalid UTF-8", "a name with a newline", "a traversal name", "a kind with an escape sequence",
    ];

    [Theory]
    [MemberData(nameof(Configs))]
    public void A_bad_atmos_yaml_is_one_error_line_and_exit_2(string shape)
    {
        File.WriteAllBytes(_tree.Config, Content(shape));
        var before = TempHome.Fingerprint(_tree.Home.Home);

        var result = AtmosProcess.Run(_atmos, _tree.Home, "auth", "logout", "--all", "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(result.ExitCode, result.Stdout, result.Stderr, shape);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: ", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal(before, TempHome.Fingerprint(_tree.Home.Home));
    }

    [Theory]
    [MemberData(nameof(EntryDamage))]
    public void Damaged_entries_fail_on_their_own_and_the_rest_is_logged_out_cleanly(string shape)
    {
        File.WriteAllBytes(_tree.Config, Content(shape));
        _tree.Home.Write("okta/credentials", "[x]\nk = v\n"); // where ../../okta would lead from the AWS base folder

        var result = AtmosProcess.Run(_atmos, _tree.Home, "auth", "logout", "--all", "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(result.ExitCode, result.Stdout, result.Stderr, shape);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("✓ ", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("✗ ", StringComparison.Ordinal));
        Assert.Equal("[x]\nk = v\n", File.ReadAllText(_tree.Home.PathOf("okta/credentials")));
    }

    private static byte[] Content(string shape)
    {
        var bomb = string.Join('\n', Enumerable.Range(0, 10).Select(i => i == 0 ? "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]"));
        var realistic = Encoding.UTF8.GetBytes(AwsTree.Config + "\n");
        var random = new Random(shape.Length);
        byte[] content = shape switch
        {
            "a self-referencing alias" => Utf8("auth:\n  providers: &x\n    p:\n      kind: aws/saml\n      region: x\n      self: *x\n"),
            "an alias bomb as a key" => Utf8(bomb + "\nauth:\n  providers:\n    ? *a9\n    : {kind: aws/saml}\n"),
            "an alias bomb as a value" => Utf8(bomb + "\nauth:\n  providers:\n    p: {kind: aws/saml, region: x, extra: *a9}\n"),
            "deep flow nesting" => Utf8("x: " + new string('[', 200_000) + "\nauth: {}\n"),
            "deep block nesting" => Utf8(string.Concat(Enumerable.Range(0, 3000).Select(d => new string(' ', d) + "a:\n")) + "auth: {}\n"),
            "a scanner failure" => Utf8("...\ne"),
            "truncated mid-way" => realistic[..(realistic.Length / 2)],
            "invalid UTF-8" => [.. realistic[..100], 0xFF, 0xC3, .. realistic[100..]],
            "random bytes" => Enumerable.Range(0, 4000).Select(_ => (byte)random.Next(256)).ToArray(),
            "a name with a newline" => Utf8(AwsTree.Config.Replace("    dev-admin:", "    \"dev\\nadmin\":", StringComparison.Ordinal)),
            "a traversal name" => Utf8(AwsTree.Config.Replace("    saml-okta:", "    ../../okta:", StringComparison.Ordinal)),
            "a kind with an escape sequence" => Utf8(AwsTree.Config.Replace("kind: aws/saml", "kind: \"aws/saml\\e[2J\\a\"", StringComparison.Ordinal)),
            _ => Utf8(AwsTree.Config + "\n" + new string('#', 4 * 1024 * 1024)),
        };
        return content;
    }

    [Theory]
    [InlineData("auth", "logout", "--config", "a", "--config", "b")]
    [InlineData("auth", "logout", "-i", "a", "-i", "b")]
    [InlineData("auth", "logout", "--output", "xml")]
    [InlineData("auth", "logout", "--bogus")]
    [InlineData("auth", "logout", "a", "b")]
    [InlineData("auth", "logout", "@response-file")]
    [InlineData("auth", "logout", "dev\nadmin\u001b[2J")]
    [InlineData("auth", "logout", "--provider", "../../etc")]
    [InlineData("auth", "frobnicate")]
    [InlineData("auth", "logout", "\ud800")]
    public void A_bad_command_line_is_one_error_line_and_exit_2(params string[] args)
    {
        var result = AtmosProcess.Run(_atmos, _tree.Home, [.. args, "--config", _tree.Config]);

        CliChecks.AssertCleanOutcome(result.ExitCode, result.Stdout, result.Stderr, string.Join(' ', args));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: ", result.Lines[0], StringComparison.Ordinal);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
