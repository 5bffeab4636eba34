using System.Collections.Concurrent;
using System.Diagnostics;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;
using Xunit.Abstractions;

namespace Atmos.Plugins.Reliability.Tests.Crash;

/// <summary>
/// kill -9 at random points during edits of large INI files: the file is always byte for byte one of the versions a
/// completed edit produces, never truncated or half-written; a later edit cleans the leftovers and succeeds.
/// </summary>
/// <remarks>Trials run four at a time (each in its own folder): a trial mostly waits for a process to start.</remarks>
[Collection(PublishedAtmosCollection.Name)]
public sealed class CrashSafetyTests : IDisposable
{
    private const int Parallelism = 4;
    private readonly PublishedAtmos _atmos;
    private readonly ITestOutputHelper _output;
    private readonly TempHome _home = new();

    public CrashSafetyTests(PublishedAtmos atmos, ITestOutputHelper output)
    {
        _atmos = atmos;
        _output = output;
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Killing_the_editor_at_random_points_leaves_an_old_or_new_file_and_the_next_edit_cleans_up()
    {
        var random = Trials.Random(_output.WriteLine);
        var trials = Trials.Count(200);

        // 3,000 sections (≈ 400 KB); the helper removes 6 of them, one locked atomic edit each, as a logout does.
        var file = new IniBlocks(Enumerable.Range(0, 3000).Select(i =>
            IniBlocks.Credentials($"profile-{i:D4}", i % 4 == 0 ? $"# profile {i}\n" : string.Empty)));
        var removals = file.Blocks.Select(b => b.Header).OrderBy(_ => random.Next()).Take(6).ToList();
        var versions = Enumerable.Range(0, removals.Count + 1).Select(k => file.Without(removals.Take(k).ToList())).ToList();
        var versionOf = versions.Select((content, k) => (Digest: FileChecks.Digest(content), k)).ToDictionary(v => v.Digest, v => v.k);
        var names = _home.Write("removals.txt", string.Join('\n', removals) + "\n");

        // How long the helper takes to do all the edits here: the kills are spread over that window.
        var calibration = Path.Join(_home.PathOf("calibration"), "credentials");
        LoadTree.WritePrivate(calibration, versions[0]);
        var clock = Stopwatch.StartNew();
        using (var complete = HelperProcess.Start("remove", calibration, names))
        {
            Assert.Equal(0, complete.Finish(TimeSpan.FromSeconds(60)));
        }

        var window = clock.Elapsed;
        FileChecks.Equal(versions[^1], File.ReadAllBytes(calibration), "a complete run");
        _output.WriteLine($"a complete run of {removals.Count} edits takes {window.TotalMilliseconds:0} ms");

        var delays = Enumerable.Range(0, trials).Select(_ => window * random.NextDouble()).ToList();
        var results = new ConcurrentBag<(int Version, bool Lock, bool Temporary)>();
        Parallel.For(0, trials, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, trial =>
        {
            var folder = _home.PathOf($"trial-{trial}");
            var path = Path.Join(folder, "credentials");
            LoadTree.WritePrivate(path, versions[0]);
            using (var helper = HelperProcess.Start("remove", path, names))
            {
                Thread.Sleep(delays[trial]);
                helper.KillHard();
            }

            var after = File.ReadAllBytes(path);
            Assert.True(versionOf.TryGetValue(FileChecks.Digest(after), out var k), $"trial {trial}: after kill -9 the file ({after.Length} bytes) is none of the {versions.Count} versions an edit can produce");
            results.Add((k, File.Exists(path + ".lock"), FileChecks.Temporaries(folder).Count > 0));

            // The next edit takes the (possibly stale) lock, removes stale temporaries and completes.
            var next = Math.Min(k, removals.Count - 1);
            AtomicFile.Edit(path, bytes => IniDocument.Parse(bytes, path).RemoveSections(h => h == removals[next], out _), TimeSpan.FromSeconds(10));
            FileChecks.Equal(versions[Math.Min(k + 1, removals.Count)], File.ReadAllBytes(path), $"trial {trial}: the edit after the kill");
            Assert.Equal(["credentials", "credentials.lock"], FileChecks.Names(folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Directory.Delete(folder, recursive: true);
        });

        var seen = Enumerable.Range(0, versions.Count).Select(k => results.Count(r => r.Version == k)).ToList();
        _output.WriteLine($"{trials} kills; version found after the kill: {string.Join(' ', seen.Select((n, k) => $"v{k}={n}"))}; lock file there {results.Count(r => r.Lock)}× (it stays once created), temporary file left {results.Count(r => r.Temporary)}×");

        // The kills did land inside the run of edits, not only before or after it.
        Assert.True(seen.Skip(1).Take(removals.Count - 1).Sum() > 0, "no kill landed between the first and the last edit");
    }

    [Fact]
    public void Killing_the_published_atmos_mid_logout_leaves_each_file_old_or_new_and_a_rerun_completes()
    {
        var random = Trials.Random(_output.WriteLine);
        var trials = Trials.Count(20);
        var tree = new LoadTree(identities: 4, unrelated: 3000);
        var target = tree.Identities[1];

        // How long a logout takes here when four run at once: half of the kills are spread over that window; the other
        // half wait until a lock file appears (the first edit of the fresh folder has started) and kill within 40 ms.
        var window = new ConcurrentBag<TimeSpan>();
        Parallel.For(0, Parallelism, _ => Trial(tree, target, Kill.Never, window));
        _output.WriteLine($"a complete logout takes {window.Max().TotalMilliseconds:0} ms ({Parallelism} at once)");

        var kills = Enumerable.Range(0, trials)
            .Select(trial => trial % 2 == 0 ? Kill.After(window.Max() * random.NextDouble()) : Kill.InsideEdit(TimeSpan.FromMilliseconds(random.NextDouble() * 40)))
            .ToList();
        var outcomes = new ConcurrentBag<string>();
        Parallel.For(0, trials, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, trial => outcomes.Add($"{kills[trial].Name}: {Trial(tree, target, kills[trial])}"));

        _output.WriteLine($"{trials} kills: {string.Join("; ", outcomes.GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"))}");
        Assert.Equal(trials, outcomes.Count);
    }

    // Seeds a fresh home, starts the logout, kills it (if it is still running), checks each file is the old or the new
    // version, then runs the logout again to completion and checks the result and that no temporary file is left.
    private string Trial(LoadTree tree, string target, Kill kill, ConcurrentBag<TimeSpan>? durations = null)
    {
        using var home = new TempHome();
        var atmosYaml = tree.Seed(home);
        var folder = home.PathOf(LoadTree.Folder);
        var (newCredentials, newConfig) = tree.Expected([target]);
        string[] logout = ["auth", "logout", target, "--config", atmosYaml];
        var clock = Stopwatch.StartNew();
        using (var process = AtmosProcess.Start(_atmos, home, logout))
        {
            kill.Wait(process, folder);
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.WaitForExit();
            durations?.Add(clock.Elapsed);
        }

        var outcome = $"credentials {State(Path.Join(folder, "credentials"), tree.CredentialsFile.Original, newCredentials)}, config {State(Path.Join(folder, "config"), tree.ConfigFile.Original, newConfig)}";

        var rerun = AtmosProcess.Run(_atmos, home, logout);
        Assert.True(rerun.ExitCode == 0, $"after a kill ({outcome}) the next logout exited {rerun.ExitCode}: {rerun.Stderr}");
        FileChecks.Equal(newCredentials, File.ReadAllBytes(Path.Join(folder, "credentials")), "credentials after the next logout");
        FileChecks.Equal(newConfig, File.ReadAllBytes(Path.Join(folder, "config")), "config after the next logout");
        Assert.Empty(FileChecks.Temporaries(folder));
        Assert.False(File.Exists(home.PathOf(LoadTree.CacheFile)));
        return outcome;
    }

    private static string State(string path, byte[] old, byte[] updated)
    {
        var content = File.ReadAllBytes(path);
        if (content.AsSpan().SequenceEqual(old))
        {
            return "old";
        }

        Assert.True(content.AsSpan().SequenceEqual(updated), $"after kill -9, {Path.GetFileName(path)} ({content.Length} bytes) is neither the old ({old.Length}) nor the new version ({updated.Length})");
        return "new";
    }

    /// <summary>When a trial kills atmos.</summary>
    private abstract record Kill
    {
        public static Kill Never { get; } = new AfterDelay(Timeout.InfiniteTimeSpan);

        public static Kill After(TimeSpan delay) => new AfterDelay(delay);

        public static Kill InsideEdit(TimeSpan delay) => new AfterLock(delay);

        /// <summary>How the kill is timed, for the report.</summary>
        public abstract string Name { get; }

        /// <summary>Returns when it is time to kill (or the process has exited).</summary>
        public abstract void Wait(Process process, string folder);

        private sealed record AfterDelay(TimeSpan Delay) : Kill
        {
            public override string Name => "at a random time";

            public override void Wait(Process process, string folder) => process.WaitForExit(Delay);
        }

        private sealed record AfterLock(TimeSpan Delay) : Kill
        {
            public override string Name => "once a lock file appears";

            public override void Wait(Process process, string folder)
            {
                var spin = new SpinWait();
                while (!process.HasExited && !File.Exists(Path.Join(folder, "credentials.lock")) && !File.Exists(Path.Join(folder, "config.lock")))
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }

                Thread.Sleep(Delay);
            }
        }
    }
}
