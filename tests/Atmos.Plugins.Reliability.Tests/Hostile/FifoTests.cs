using System.Diagnostics;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>
/// A FIFO (named pipe) where atmos expects a file used to hang every run forever before any step (audit.jsonl,
/// atmos.yaml, plugins.json) or cost 30 s and drop the plugin (a credentials file). Every file is now opened without
/// blocking and used only if <c>fstat</c> says it is a regular file: each run ends within a few seconds, naming the file.
/// </summary>
public sealed class FifoTests : IDisposable
{
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(5);
    private readonly SeededTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_fifo_at_the_audit_file_costs_only_the_audit_naming_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_tree.Cli.AuditPath)!);
        MakeFifo(_tree.Cli.AuditPath);

        var result = await Timed(["auth", "logout", "dev-admin", "--config", _tree.Config]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Successfully logged out from 3 identities", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("⚠️ Audit trail not written to", StringComparison.Ordinal) && l.Contains("is a FIFO (named pipe), not a regular file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fifo_given_as_atmos_yaml_is_an_error_naming_it()
    {
        var fifo = Path.Join(_tree.Home.Root, "fifo.yaml");
        MakeFifo(fifo);

        var result = await Timed(["auth", "logout", "--all", "--config", fifo]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("Error: ", StringComparison.Ordinal) && l.Contains(fifo, StringComparison.Ordinal) && l.Contains("is a FIFO (named pipe)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fifo_at_the_working_folders_atmos_yaml_is_an_error_naming_it()
    {
        var folder = _tree.Home.PathOf("work");
        Directory.CreateDirectory(folder);
        MakeFifo(Path.Join(folder, "atmos.yaml"));
        _tree.Cli.WorkingDirectory = folder;

        var result = await Timed(["auth", "logout", "--all"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("~/work/atmos.yaml", StringComparison.Ordinal) && l.Contains("is a FIFO (named pipe)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ATMOS_PLUGINS_MANIFEST")]
    [InlineData("user manifest")]
    public async Task A_fifo_at_plugins_json_is_a_problem_naming_it(string where)
    {
        string fifo;
        if (where == "user manifest")
        {
            fifo = _tree.Home.PathOf(".config/atmos/plugins.json");
            Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        }
        else
        {
            fifo = Path.Join(_tree.Home.Root, "plugins.json");
            _tree.Cli.Environment["ATMOS_PLUGINS_MANIFEST"] = fifo;
        }

        MakeFifo(fifo);

        var result = await Timed(["auth", "logout", "dev-admin", "--config", _tree.Config]);

        // A broken manifest blocks only the entries whose kinds no plugin then provides (decisions §15): with the user
        // manifest broken the built-in plugins still log out (a warning); with the only manifest broken every step
        // fails naming it.
        Assert.Equal(where == "user manifest" ? 0 : 1, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains(fifo, StringComparison.Ordinal) && l.Contains("is a FIFO (named pipe)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fifo_at_a_credentials_file_fails_that_step_alone_naming_it()
    {
        var credentials = _tree.Home.PathOf($"{AwsTree.SsoFolder}/credentials");
        File.Delete(credentials);
        MakeFifo(credentials);

        var result = await Timed(["auth", "logout", "dev-admin", "--config", _tree.Config]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("✗ Files: ~/.config/atmos/aws/aws-sso/", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("~/.config/atmos/aws/aws-sso/credentials is a FIFO (named pipe), not a regular file", StringComparison.Ordinal));

        // The other file of the step and the plugin's other step still ran.
        Assert.DoesNotContain("[profile dev-admin]", _tree.Home.Read($"{AwsTree.SsoFolder}/config"), StringComparison.Ordinal);
        Assert.False(_tree.Home.Exists(AwsTree.CacheFile(AwsTree.StartUrl)));
    }

    [Fact]
    public async Task A_fifo_at_a_credentials_file_keeps_its_plugin_in_an_all_dry_run()
    {
        var credentials = _tree.Home.PathOf($"{AwsTree.SsoFolder}/credentials");
        File.Delete(credentials);
        MakeFifo(credentials);

        var result = await Timed(["auth", "logout", "--all", "--dry-run", "--output", "json", "--config", _tree.Config]);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("plugin 'aws'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/.config/atmos/aws/aws-sso/", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/.aws/sso/cache/", result.Stdout, StringComparison.Ordinal);
    }

    internal static void MakeFifo(string path)
    {
        var made = Processes.Run("mkfifo", [path], new Dictionary<string, string>());
        Assert.True(made.ExitCode == 0, made.Stderr);
    }

    private async Task<CliResult> Timed(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var result = await _tree.Cli.RunBounded(args);
        Assert.True(clock.Elapsed < FewSeconds, $"atmos {string.Join(' ', args)} took {clock.Elapsed.TotalSeconds:0.0} s");
        CliChecks.AssertCleanOutcome(result, string.Join(' ', args), partialAllowed: true);
        return result;
    }
}
