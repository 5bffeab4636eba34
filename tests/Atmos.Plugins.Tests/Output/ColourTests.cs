using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Output;

/// <summary>Colour only when standard error is a terminal, and never with NO_COLOR (any non-empty value) or TERM=dumb.</summary>
public sealed class ColourTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData(true, null, null, true)]
    [InlineData(true, "1", null, false)]
    [InlineData(true, "false", null, false)]
    [InlineData(true, "", null, true)]
    [InlineData(true, null, "dumb", false)]
    [InlineData(false, null, null, false)]
    public async Task Escape_codes_appear_only_on_a_terminal_without_NO_COLOR(bool terminal, string? noColor, string? term, bool coloured)
    {
        var cli = new CliRun(_home) { ErrorIsTerminal = terminal };
        if (noColor is not null)
        {
            cli.Environment["NO_COLOR"] = noColor;
        }

        if (term is not null)
        {
            cli.Environment["TERM"] = term;
        }

        var config = ReferenceTree.WriteConfig(_home, ReferenceTree.DocConfig);
        await ReferenceTree.SeedKeyring(cli.Keyring, "dev-admin");

        var result = await cli.RunAsync("auth", "logout", "dev-admin", "--config", config);

        Assert.Equal(0, result.ExitCode);
        if (coloured)
        {
            Assert.Contains("\u001b[32m✓ Keyring: dev-admin\u001b[0m", result.Lines);
            Assert.Contains("\u001b[33m✗ Keyring: aws-sso (not found - already logged out)\u001b[0m", result.Lines);
            Assert.Contains("Errors encountered:", result.Lines);
        }
        else
        {
            Assert.DoesNotContain('\u001b', result.Stderr);
            Assert.Contains("✓ Keyring: dev-admin", result.Lines);
        }
    }
}
