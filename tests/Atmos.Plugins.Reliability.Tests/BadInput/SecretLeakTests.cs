using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// No secret seeded in a file, the SSO cache or the keyring ever appears in standard output, standard error,
/// <c>--output json</c>, the debug and trace lines or a snapshot: every output of every run is searched for every value.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class SecretLeakTests : IDisposable
{
    private const string KeyringPassword = "correct horse battery staple";
    private readonly PublishedAtmos _atmos;
    private readonly SeededTree _tree = new();

    public SecretLeakTests(PublishedAtmos atmos)
    {
        _atmos = atmos;

        // A malformed line holding a secret: the error names the file and line, never the line itself.
        File.AppendAllText(_tree.Home.PathOf($"{AwsTree.OktaFolder}/credentials"), "aws_secret_access_key SECRET-on-a-malformed-line\n");
    }

    /// <summary>Keyring values that are not the usual envelope, so classification and error paths see them too.</summary>
    private static Dictionary<string, string> OddKeyringEntries { get; } = new(StringComparer.Ordinal)
    {
        ["dev-readonly"] = "KR-raw-value-not-json",
        ["staging-admin"] = """{"type":"aws","data":"KR-data-is-a-string"}""",
        ["okta-analyst"] = """{"type":"aws","data":{"access_key_id":"A","secret_access_key":"KR-okta-secret","session_token":"KR-okta-token","expiration":"not a date"}}""",
        ["saml-okta"] = """{"type":"aws","data":{"secret_access_key":"KR-truncated-json""",
    };

    private static IReadOnlyList<string> Secrets { get; } =
    [
        .. AwsTree.Secrets,
        "KR-cache-token", "KR-backup-cache-token", "SECRET-on-a-malformed-line",
        "KR-raw-value-not-json", "KR-data-is-a-string", "KR-okta-secret", "KR-okta-token", "KR-truncated-json",
    ];

    // Dry runs first (they see everything), then real logouts that remove more and more, then runs that find nothing.
    private string[][] Commands =>
    [
        ["auth", "validate", "--config", _tree.Config],
        ["auth", "logout", "--all", "--dry-run", "--config", _tree.Config],
        ["auth", "logout", "--all", "--keychain", "--dry-run", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "dev-admin", "--dry-run", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "nobody", "--config", _tree.Config],
        ["auth", "logout", "dev-admin", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "okta-analyst", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "--provider", "backup-provider", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "--all", "--keychain", "--config", _tree.Config],
        ["auth", "logout", "--all", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "--all", "--keychain", "--force", "--output", "json", "--config", _tree.Config],
        ["auth", "logout", "--all", "--config", _tree.Config],
    ];

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task No_secret_appears_in_any_output_of_the_in_process_cli_at_trace_level()
    {
        var cli = _tree.Cli;
        cli.Environment["ATMOS_LOGS_LEVEL"] = "Trace";
        foreach (var (name, value) in OddKeyringEntries)
        {
            await cli.Keyring.SetAsync(name, value, CancellationToken.None);
        }

        var outputs = new List<(string Command, string Text)>();
        foreach (var command in Commands)
        {
            var result = await cli.RunBounded(command);
            CliChecks.AssertCleanOutcome(result, string.Join(' ', command), ErrorStart(command));
            outputs.Add((string.Join(' ', command), result.Stdout + result.Stderr));
        }

        AssertNoSecret(outputs);
        Assert.Empty(await cli.Keyring.ListAsync(CancellationToken.None)); // every secret was read and removed on the way
    }

    [Fact]
    public async Task No_secret_appears_in_any_output_of_the_published_atmos_with_a_file_keyring()
    {
        var keyring = new FileKeyring(_tree.Home.PathOf(".local/share/atmos/keyring"), KeyringPassword);
        await AwsTree.SeedKeyring(keyring);
        foreach (var (name, value) in OddKeyringEntries)
        {
            await keyring.SetAsync(name, value, CancellationToken.None);
        }

        var environment = AtmosProcess.Environment(_tree.Home);
        environment["ATMOS_KEYRING_TYPE"] = "file";
        environment[FileKeyring.PasswordVariable] = KeyringPassword;
        environment["ATMOS_LOGS_LEVEL"] = "Trace";
        var outputs = new List<(string Command, string Text)>();
        foreach (var command in Commands)
        {
            var result = Processes.Run(_atmos.Executable, command, environment, _tree.Home.Root);
            CliChecks.AssertCleanOutcome(result.ExitCode, result.Stdout, result.Stderr, string.Join(' ', command), ErrorStart(command));
            outputs.Add((string.Join(' ', command), result.Stdout + result.Stderr));
        }

        AssertNoSecret(outputs);
        Assert.Empty(await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public void No_snapshot_in_the_repository_holds_a_secret()
    {
        var snapshots = Directory.EnumerateFiles(RepoPaths.Root, "*", SearchOption.AllDirectories)
            .Where(path => path.Contains($"{Path.DirectorySeparatorChar}__snapshots__{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || path.EndsWith(".snap", StringComparison.Ordinal))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var texts = snapshots.Select(path => (path, File.ReadAllText(path))).ToList();
        Assert.NotEmpty(texts);
        AssertNoLeak(texts);
    }

    private static string ErrorStart(string[] command) => command[1] == "validate" ? "✗ " : "Error: ";

    private static void AssertNoSecret(IReadOnlyList<(string Source, string Text)> outputs)
    {
        // The outputs are the real thing: trace lines and JSON documents were printed.
        if (outputs.Count > 1)
        {
            Assert.Contains(outputs, o => o.Text.Contains(" TRACE Planned step ", StringComparison.Ordinal));
            Assert.Contains(outputs, o => o.Text.Contains("\"steps\"", StringComparison.Ordinal));
        }

        AssertNoLeak(outputs);
    }

    private static void AssertNoLeak(IReadOnlyList<(string Source, string Text)> outputs)
    {
        var leaks = outputs.SelectMany(o => Secrets.Where(s => o.Text.Contains(s, StringComparison.Ordinal)).Select(s => $"{s} in the output of {o.Source}")).ToList();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }
}
