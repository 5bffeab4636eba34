using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Host.Cli;
using Atmos.Plugins.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>The whole `--help` surface (snapshot) and shell completion of identity and provider names.</summary>
public sealed class HelpAndCompletionTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliRun _cli;

    public HelpAndCompletionTests()
    {
        _cli = new CliRun(_home, new UntouchableKeyring());
        _cli.Environment["ATMOS_PLUGINS_MANIFEST"] = Path.Join(_home.Root, "no-such-plugins.json");
    }

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("atmos", "--help")]
    [InlineData("auth", "auth --help")]
    [InlineData("logout", "auth logout --help")]
    [InlineData("validate", "auth validate --help")]
    [InlineData("status", "auth status --help")]
    public async Task Help_of_every_command(string name, string line)
    {
        var result = await _cli.RunAsync(line.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        // The usage line names the running executable: atmos when published, the test host here.
        Snapshot.Match(result.Stdout.Replace(System.CommandLine.RootCommand.ExecutableName, "atmos", StringComparison.Ordinal), SnapshotNameExtension.Create(name));
    }

    [Fact]
    public async Task Logout_help_lists_every_flag_and_the_reference_examples()
    {
        var help = (await _cli.RunAsync("auth", "logout", "-h")).Stdout;

        foreach (var flag in new[] { "<identity>", "-i, --identity <name>", "--all", "--provider <name>", "--dry-run", "--keychain", "--force", "-o, --output <text|json>", "--config <file>" })
        {
            Assert.Contains(flag, help, StringComparison.Ordinal);
        }

        var examples = help[help.IndexOf("Examples:", StringComparison.Ordinal)..].Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("atmos ", StringComparison.Ordinal));
        Assert.Equal(
            [
                "atmos auth logout dev-admin", "atmos auth logout --identity dev-admin", "atmos auth logout -i dev-admin",
                "atmos auth logout --all", "atmos auth logout --all-realms", "atmos auth logout --provider aws-sso", "atmos auth logout --tags ci,production", "atmos auth logout",
                "atmos auth logout dev-admin --dry-run", "atmos auth logout --all --dry-run",
                "atmos auth logout dev-admin --keychain", "atmos auth logout dev-admin --keychain --force",
                "atmos auth logout --all --output json",
            ],
            examples);
    }

    private IReadOnlyList<string> Complete(string line)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var completions = AtmosCli.Root(_cli.Host(stdout, stderr)).Parse(line).GetCompletions();
        Assert.Empty(stderr.ToString());
        return completions.Select(c => c.Label).Where(l => !l.StartsWith('-') && !l.StartsWith('/')).ToList();
    }

    [Theory]
    [InlineData("auth logout ", "backup-reader,ci-user,dev-admin,dev-org-admin,dev-readonly,prod-admin")]
    [InlineData("auth logout de", "dev-admin,dev-org-admin,dev-readonly")]
    [InlineData("auth logout --identity p", "prod-admin")]
    [InlineData("auth logout -i ", "backup-reader,ci-user,dev-admin,dev-org-admin,dev-readonly,prod-admin")]
    [InlineData("auth logout --provider ", "aws-sso,backup-provider")]
    [InlineData("auth logout --all --provider b", "backup-provider")]
    [InlineData("auth status --provider a", "aws-sso")]
    [InlineData("auth status dev-a", "dev-admin")]
    public void Identity_and_provider_names_complete_from_atmos_yaml(string line, string expected)
    {
        _cli.WorkingDirectory = Path.GetDirectoryName(ReferenceTree.WriteConfig(_home, ReferenceTree.ChainConfig));

        Assert.Equal(expected.Split(','), Complete(line));
    }

    [Fact]
    public void Completion_reads_the_config_named_on_the_line_being_completed()
    {
        var elsewhere = _home.Write("elsewhere/atmos.yaml", ReferenceTree.DocConfig + "\n");

        Assert.Equal(["dev-admin", "dev-readonly"], Complete($"auth logout --config {elsewhere} dev"));
        Assert.Empty(Complete("auth logout dev"));
    }

    [Fact]
    public void Completion_of_an_unreadable_config_offers_no_names()
    {
        _cli.WorkingDirectory = Path.GetDirectoryName(_home.Write("project/atmos.yaml", "auth: [this is: not: valid\n"));

        Assert.Empty(Complete("auth logout "));
    }

    [Fact]
    public async Task The_suggest_directive_prints_the_completions_for_dotnet_suggest_and_shell_functions()
    {
        _cli.WorkingDirectory = Path.GetDirectoryName(ReferenceTree.WriteConfig(_home, ReferenceTree.ChainConfig));
        const string line = "atmos auth logout --provider ";

        var result = await _cli.RunAsync($"[suggest:{line.Length}]", line);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["aws-sso", "backup-provider"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Completion and help must not touch the keyring.</summary>
    private sealed class UntouchableKeyring : IKeyring
    {
        public string Backend => "untouchable";

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring was touched");

        public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring was touched");

        public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring was touched");

        public Task SetAsync(string name, string secret, CancellationToken cancellationToken) => throw new InvalidOperationException("the keyring was touched");
    }
}
