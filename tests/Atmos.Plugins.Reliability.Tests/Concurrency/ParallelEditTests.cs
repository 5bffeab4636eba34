using System.Globalization;
using System.Text;
using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Helper;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Concurrency;

/// <summary>Many threads (and processes) editing one file through the lock protocol: no update is lost.</summary>
public sealed class ParallelEditTests : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Threads_removing_and_appending_sections_of_one_file_lose_no_update()
    {
        var file = new IniBlocks(Enumerable.Range(0, 2000).Select(i => IniBlocks.Credentials($"profile-{i:D4}", i % 5 == 0 ? $"# {i}\n" : string.Empty)));
        var targets = file.Blocks.Where((_, i) => i % 61 == 0 || i == 1999).Select(b => b.Header).ToList();
        var path = _home.PathOf("f/credentials");
        LoadTree.WritePrivate(path, file.Original);
        const int appends = 40;

        var removers = targets.Select(target => (Action)(() =>
        {
            var outcome = AtomicFile.Edit(path, bytes => IniDocument.Parse(bytes, path).RemoveSections(h => h == target, out _), LockTimeout);
            Assert.Equal(EditOutcome.Replaced, outcome);
        }));
        var appenders = new[] { "left", "right" }.Select(prefix => (Action)(() =>
        {
            for (var n = 0; n < appends; n++)
            {
                var section = Encoding.UTF8.GetBytes(HelperProtocol.AppendedSection(prefix, n));
                AtomicFile.Edit(path, bytes => FileEdit.Replace([.. bytes, .. section]), LockTimeout);
            }
        }));
        Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = 16 }, [.. appenders, .. removers]);

        // The original sections minus the removed ones, then both appenders' sections, each appender's in its order.
        var expectedStart = file.Without(targets);
        var actual = File.ReadAllBytes(path);
        FileChecks.Equal(expectedStart, actual[..Math.Min(expectedStart.Length, actual.Length)], "the original part");
        var tail = Encoding.UTF8.GetString(actual, expectedStart.Length, actual.Length - expectedStart.Length);
        var sections = tail.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(s => s + "\n\n").ToList();
        Assert.Equal(2 * appends, sections.Count);
        foreach (var prefix in new[] { "left", "right" })
        {
            Assert.Equal(
                Enumerable.Range(0, appends).Select(n => HelperProtocol.AppendedSection(prefix, n)),
                sections.Where(s => s.StartsWith($"[{prefix}-", StringComparison.Ordinal)));
        }

        Assert.Equal(["credentials", "credentials.lock"], FileChecks.Names(_home.PathOf("f")));
    }

    [Fact]
    public void Aws_plugin_steps_for_sixteen_identities_run_in_parallel_on_one_provider_folder()
    {
        var tree = new LoadTree(identities: 16, unrelated: 500);
        tree.Seed(_home);
        var folder = _home.PathOf(LoadTree.Folder);
        var plugin = new AwsPlugin();
        var environment = new PluginEnvironment(_home.Home, _home.PathOf(".config/atmos/aws"), _home.PathOf(".cache"), _home.PathOf(".local/share"), LockTimeout, TimeProvider.System, new Dictionary<string, string>());

        var results = tree.Identities.AsParallel().WithDegreeOfParallelism(16).Select(identity => plugin.Execute(
            new FileStep
            {
                Action = "remove-profiles",
                Principals = [identity],
                Target = folder + "/",
                Paths = [Path.Join(folder, "credentials"), Path.Join(folder, "config")],
                Arguments = new Dictionary<string, string> { ["base"] = _home.PathOf(".config/atmos/aws"), ["folder"] = folder, ["profiles"] = identity },
            },
            environment,
            CancellationToken.None)).ToList();

        Assert.All(results, r => Assert.Equal(StepStatus.Removed, r.Status));
        var (credentials, config) = tree.Expected(tree.Identities);
        FileChecks.Equal(credentials, File.ReadAllBytes(Path.Join(folder, "credentials")), "credentials");
        FileChecks.Equal(config, File.ReadAllBytes(Path.Join(folder, "config")), "config");
        Assert.Equal(["config", "config.lock", "credentials", "credentials.lock"], FileChecks.Names(folder));
    }

    [Fact]
    public void The_lock_has_one_holder_at_a_time_under_a_storm_of_acquisitions_even_beside_holders_that_unlink_it()
    {
        // Holders release as fast as they can, and every other acquisition unlinks the lock file just before releasing it,
        // as tools with an unlinking protocol do (msal-extensions, earlier versions of this one): waiters then often hold
        // a file that is no longer at the path. The re-check that the locked file is still the one at the path keeps
        // this at one holder: without it, a waiter that locks the unlinked file and one that created the next would both
        // hold the lock.
        var path = _home.Write("storm/credentials", "x");
        var holders = 0;
        var most = 0;
        var acquisitions = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (var i = 0; i < Trials.Count(3000); i++)
            {
                using (FileLock.Acquire(path, LockTimeout))
                {
                    var now = Interlocked.Increment(ref holders);
                    InterlockedMax(ref most, now);
                    Thread.SpinWait(50);
                    Interlocked.Decrement(ref holders);
                    if ((worker + i) % 2 == 0)
                    {
                        File.Delete(path + ".lock");
                    }
                }

                Interlocked.Increment(ref acquisitions);
            }
        });

        Assert.Equal(8 * Trials.Count(3000), acquisitions);
        Assert.Equal(1, most);
        Assert.Contains("credentials", FileChecks.Names(_home.PathOf("storm")));
    }

    [Fact]
    public void Processes_and_threads_incrementing_one_counter_under_the_lock_lose_no_increment()
    {
        const int each = 150;
        var path = _home.Write("counter/value", "0");
        var processes = Enumerable.Range(0, 4).Select(_ => HelperProcess.Start("increment", path, each.ToString(CultureInfo.InvariantCulture))).ToList();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < each; i++)
            {
                AtomicFile.Edit(path, bytes => FileEdit.Replace(HelperProtocol.Increment(bytes)), LockTimeout);
            }
        });
        foreach (var process in processes)
        {
            Assert.Equal(0, process.Finish(TimeSpan.FromSeconds(60)));
            process.Dispose();
        }

        Assert.Equal((8 * each).ToString(CultureInfo.InvariantCulture), File.ReadAllText(path));
        Assert.Equal(["value", "value.lock"], FileChecks.Names(_home.PathOf("counter")));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
