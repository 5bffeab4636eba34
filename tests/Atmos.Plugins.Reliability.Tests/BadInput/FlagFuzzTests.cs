using System.Text;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;
using Xunit.Abstractions;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// Random command lines from the CLI's own vocabulary mixed with garbage, through the in-process CLI: each run is a
/// normal success (exit 0) or a usage error on one line (exit 2), never a stack trace, an exception or a hang.
/// </summary>
public sealed class FlagFuzzTests : IDisposable
{
    private readonly SeededTree _tree = new();
    private readonly ITestOutputHelper _output;

    public FlagFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Random_command_lines_exit_0_or_2_with_one_error_line()
    {
        var random = Trials.Random(_output.WriteLine);
        string[] vocabulary =
        [
            "auth", "logout", "validate", "login", "--all", "--provider", "-i", "--identity", "--dry-run", "--keychain", "--force",
            "--output", "-o", "json", "text", "xml", "--config", _tree.Config, "dev-admin", "DEV-ADMIN", "aws-sso", "ci-user", "nobody",
            "", "-", "--", "--help", "-h", "-?", "--version", "--all=true", "--output=json", "--dry-run=false", "-iDEV-admin",
            "--config=" + _tree.Config, "--config", "/nonexistent/atmos.yaml", _tree.Home.Root, "auth logout", "-x", "---all", "--ALL",
            "../../etc/passwd", "😀", "\u00e9", "a\nb", "\u001b[31m", "\0", "\t", "\r\n", new string('x', 10_000), "--identity=",
            "--provider=", "-o", "--output", "--keychain=maybe", "@response.rsp", "%s%n", "$HOME", "~",
        ];
        var exits = new int[3];
        for (var run = 0; run < Trials.Count(500); run++)
        {
            var args = new List<string>();
            if (random.Next(4) > 0)
            {
                args.AddRange(["auth", "logout"]);
            }

            for (var n = random.Next(0, 7); n > 0; n--)
            {
                args.Add(random.Next(8) == 0 ? Garbage(random) : vocabulary[random.Next(vocabulary.Length)]);
            }

            if (random.Next(4) > 0)
            {
                args.AddRange(["--config", _tree.Config]);
            }

            var result = await _tree.Cli.RunBounded([.. args]);
            CliChecks.AssertCleanOutcome(result, string.Join(" | ", args));
            exits[result.ExitCode]++;
        }

        _output.WriteLine($"exit 0: {exits[0]}, exit 2: {exits[2]}");
        Assert.True(exits[0] > 0 && exits[2] > 0);
    }

    [Theory]
    [InlineData("--tags", "--tags")]
    [InlineData("-i", "--identity")]
    [InlineData("--provider", "--provider")]
    [InlineData("--output", "-o")]
    public async Task An_option_given_twice_is_a_usage_error(string first, string second)
    {
        // Used to throw from reading the option's value: an unhandled exception and exit 134.
        var value = first is "--output" ? "json" : "dev-admin";

        var result = await _tree.Cli.RunBounded("auth", "logout", first, value, second, value, "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(result, $"{first} twice");
        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"^Error: Option '-[-a-z]+' expects a single argument but [23] were provided; run 'atmos auth logout --help' for usage$", result.Lines[0]);
    }

    [Fact]
    public async Task The_config_flags_may_repeat_as_in_atmos()
    {
        // --config, --config-path and --profile are pflag string slices in atmos: repeatable, unlike the other options.
        var result = await _tree.Cli.RunBounded("auth", "logout", "dev-admin", "--dry-run", "--config", _tree.Config, "--config", _tree.Config);

        CliChecks.AssertCleanOutcome(result, "--config twice");
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_parse_error_listing_allowed_values_is_one_line()
    {
        var result = await _tree.Cli.RunBounded("auth", "logout", "--output", "xml", "--config", _tree.Config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Error: Argument 'xml' not recognized. Must be one of: 'text' 'json'; run 'atmos auth logout --help' for usage", result.Lines[0]);
    }

    [Fact]
    public async Task An_argument_starting_with_at_is_a_name_not_a_response_file()
    {
        File.WriteAllText(Path.Join(_tree.Home.Root, "args.rsp"), "--all --keychain --force\n");
        var before = TempHome.Fingerprint(_tree.Home.Home);
        _tree.Cli.WorkingDirectory = _tree.Home.Root;

        var result = await _tree.Cli.RunBounded("auth", "logout", "@args.rsp", "--config", _tree.Config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Error: identity \"@args.rsp\" not found in configuration", result.Lines[0]);
        Assert.Equal(before, TempHome.Fingerprint(_tree.Home.Home));
        Assert.Equal(6, await _tree.KeyringCount());
    }

    private static string Garbage(Random random)
    {
        var text = new StringBuilder();
        for (var n = random.Next(1, 40); n > 0; n--)
        {
            text.Append(random.Next(6) switch
            {
                0 => (char)random.Next(0, 32),
                1 => (char)random.Next(0xD800, 0xE000), // lone surrogates
                2 => (char)random.Next(0x80, 0x3000),
                3 => '-',
                _ => (char)random.Next(32, 127),
            });
        }

        return text.ToString();
    }
}
