using System.Text.Json;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>
/// The check, with the published `atmos` as users run it: after a few real logouts in a temp HOME (a file
/// keyring seeded with secrets, the realistic AWS tree), ~/.local/state/atmos/audit.jsonl exists with mode 0600,
/// parses line by line, holds no seeded secret, and `atmos auth replay` of each run reproduces its output and exit code.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class AuditTrailProcessTests : IDisposable
{
    private const string Password = "audit-test-password";
    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();
    private readonly string _config;

    public AuditTrailProcessTests(PublishedAtmos atmos)
    {
        _atmos = atmos;
        _config = AwsTree.Seed(_home);
    }

    public void Dispose() => _home.Dispose();

    private string AuditPath => _home.PathOf(".local/state/atmos/audit.jsonl");

    // The audit at its default location (no XDG_STATE_HOME), a file keyring under ~/.local/share.
    private Dictionary<string, string> Environment()
    {
        var environment = Processes.IsolatedEnvironment(_home);
        environment["XDG_STATE_HOME"] = string.Empty;
        environment["XDG_DATA_HOME"] = string.Empty;
        environment["ATMOS_XDG_DATA_HOME"] = string.Empty;
        environment["ATMOS_KEYRING_TYPE"] = "file";
        environment["ATMOS_KEYRING_PASSWORD"] = Password;
        return environment;
    }

    private Processes.Outcome Atmos(params string[] args) => Processes.Run(_atmos.Executable, args, Environment(), _home.Root);

    [Fact]
    public async Task After_a_few_real_logouts_the_audit_is_private_parseable_secret_free_and_replays_each_run()
    {
        await AwsTree.SeedKeyring(new FileKeyring(_home.PathOf(".local/share/atmos/keyring"), Password));
        string[][] commands =
        [
            ["auth", "logout", "dev-admin", "--dry-run"],
            ["auth", "logout", "dev-admin"],
            ["auth", "logout", "dev-admin"],
            ["auth", "logout", "nobody"],
            ["auth", "logout", "--provider", "backup-provider"],
            ["auth", "logout", "--all", "--keychain"],
            ["auth", "logout", "--all", "--keychain", "--force"],
        ];
        var runs = commands.Select(command => Atmos([.. command, "--config", _config])).ToList();
        Assert.Equal([0, 0, 0, 2, 0, 2, 0], runs.Select(r => r.ExitCode));
        Assert.Contains("Successfully logged out from 3 identities", runs[1].Lines);
        Assert.Contains("Identity 'dev-admin' is already logged out.", runs[2].Lines);

        Assert.Equal(AtomicFile.FileMode0600, File.GetUnixFileMode(AuditPath));
        Assert.Equal(AtomicFile.FolderMode0700, File.GetUnixFileMode(Path.GetDirectoryName(AuditPath)!));
        Assert.True(File.Exists(AuditPath + ".lock")); // stays at its stable path (docs/reliability.md)
        var text = await File.ReadAllTextAsync(AuditPath);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var events = text.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        Assert.All(events, e => Assert.Equal(JsonValueKind.String, e.GetProperty("type").ValueKind));
        Assert.All(AwsTree.Secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));

        // Run ids in order of the runs: each run's events are one block (a batch at removal start, one at the end).
        var ids = events.Select(e => e.GetProperty("run").GetString()!).Distinct().ToList();
        Assert.Equal(commands.Length, ids.Count);
        var list = Atmos("auth", "replay", "--list");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(ids, list.Lines.Select(l => l.Split("  ")[0]));

        for (var i = 0; i < runs.Count; i++)
        {
            var replay = Atmos("auth", "replay", "--run", ids[i]);

            Assert.Equal(runs[i].ExitCode, replay.ExitCode);
            Assert.Equal(runs[i].Stderr, replay.Stderr);
        }
    }

    [Fact]
    public async Task Concurrent_runs_never_interleave_a_line_and_every_run_replays()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => Atmos("auth", "logout", i % 2 == 0 ? "--all" : "dev-admin", "--dry-run", "--config", _config))));
        Assert.All(outcomes, o => Assert.Equal(0, o.ExitCode));

        var lines = File.ReadAllLines(AuditPath);
        var runs = lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("run").GetString()!).ToList();

        // A dry run appends once: its lines are one contiguous block.
        var blocks = runs.Where((run, index) => index == 0 || runs[index - 1] != run).ToList();
        Assert.Equal(8, blocks.Count);
        Assert.Equal(8, blocks.Distinct().Count());
        foreach (var run in blocks)
        {
            var replay = Atmos("auth", "replay", "--run", run);
            Assert.Equal(0, replay.ExitCode);
            Assert.Equal("Dry run mode: No credentials will be removed", replay.Lines[0]);
        }
    }
}
