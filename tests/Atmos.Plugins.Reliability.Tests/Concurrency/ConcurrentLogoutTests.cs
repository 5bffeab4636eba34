using System.Diagnostics;
using System.Text;
using Atmos.Plugins.Reliability.Helper;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;
using Xunit.Abstractions;

namespace Atmos.Plugins.Reliability.Tests.Concurrency;

/// <summary>
/// Sixteen published atmos processes log out sixteen identities of one provider at the same moment, sharing one
/// credentials file and one config file (each of about a thousand sections): no update is lost, nothing else changes,
/// nothing is left behind. Then the same while another program keeps appending sections to the credentials file,
/// locking it as real atmos (gofrs/flock) and <c>flock(1)</c> do: a plain <c>flock</c> on <c>credentials.lock</c>, no
/// other protocol. The old protocol, which unlinked lock files, lost 1–3 of ~1,000 such appends per round.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class ConcurrentLogoutTests : IDisposable
{
    private const int Processes = 16;
    private readonly PublishedAtmos _atmos;
    private readonly ITestOutputHelper _output;
    private readonly TempHome _home = new();
    private readonly LoadTree _tree = new(identities: Processes, unrelated: 1000);
    private readonly string _atmosYaml;

    public ConcurrentLogoutTests(PublishedAtmos atmos, ITestOutputHelper output)
    {
        _atmos = atmos;
        _output = output;
        _atmosYaml = _tree.Seed(_home);
    }

    private string Folder => _home.PathOf(LoadTree.Folder);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Sixteen_processes_logging_out_sixteen_identities_at_once_remove_exactly_their_sections()
    {
        LogOutEveryIdentityAtOnce();

        var (credentials, config) = _tree.Expected(_tree.Identities);
        FileChecks.Equal(credentials, File.ReadAllBytes(Path.Join(Folder, "credentials")), "credentials");
        FileChecks.Equal(config, File.ReadAllBytes(Path.Join(Folder, "config")), "config");
        AssertNothingLeftBehind();
    }

    [Theory]
    [InlineData("flock-append")]
    [InlineData("append")]
    public void Sixteen_logouts_and_a_writer_appending_sections_meanwhile_lose_no_update(string writerMode)
    {
        // flock-append: a plain flock on credentials.lock, as gofrs/flock and flock(1) take it; append: FileLock.
        var credentialsPath = Path.Join(Folder, "credentials");
        int appended;
        using (var writer = HelperProcess.Start(writerMode, credentialsPath, "writer"))
        {
            LogOutEveryIdentityAtOnce();
            Assert.Equal(0, writer.Finish(TimeSpan.FromSeconds(30)));
            appended = int.Parse(writer.Output.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        }

        _output.WriteLine($"the writer ({writerMode}) appended {appended} sections meanwhile");
        Assert.True(appended > 0);
        var (credentials, config) = _tree.Expected(_tree.Identities);
        var appendedText = string.Concat(Enumerable.Range(0, appended).Select(n => HelperProtocol.AppendedSection("writer", n)));
        FileChecks.Equal([.. credentials, .. Encoding.UTF8.GetBytes(appendedText)], File.ReadAllBytes(credentialsPath), "credentials");
        FileChecks.Equal(config, File.ReadAllBytes(Path.Join(Folder, "config")), "config");
        AssertNothingLeftBehind();
    }

    private void LogOutEveryIdentityAtOnce()
    {
        var clock = Stopwatch.StartNew();
        var runs = _tree.Identities
            .Select(identity => Task.Factory.StartNew(() => AtmosProcess.Run(_atmos, _home, "auth", "logout", identity, "--config", _atmosYaml), TaskCreationOptions.LongRunning))
            .ToArray();
        Task.WaitAll(runs);
        _output.WriteLine($"{Processes} logouts took {clock.ElapsedMilliseconds} ms");

        foreach (var (run, identity) in runs.Select(r => r.Result).Zip(_tree.Identities))
        {
            Assert.True(run.ExitCode == 0, $"logout {identity} exited {run.ExitCode}: {run.Stderr}");
            Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", run.Lines);
            Assert.DoesNotContain(run.Lines, line => line.StartsWith('✗') && !line.Contains("not found", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Sixteen_logouts_and_flock_1_appending_meanwhile_lose_no_update()
    {
        // The flock(1) tool itself, in a shell loop, as a user's script would append.
        var credentialsPath = Path.Join(Folder, "credentials");
        const string script = """
            n=0
            while [ ! -e "$STOP" ]; do
              flock "$FILE.lock" sh -c 'printf "[flock-%d]\naws_access_key_id = APPENDED%06d\nregion = us-east-1\n\n" "$1" "$1" >> "$FILE"' sh "$n"
              n=$((n+1))
            done
            echo $n
            """;
        var stop = Path.Join(_home.Root, "stop");
        var start = new ProcessStartInfo("sh", ["-c", script]) { RedirectStandardOutput = true };
        start.Environment["FILE"] = credentialsPath;
        start.Environment["STOP"] = stop;
        using var shell = Process.Start(start)!;
        LogOutEveryIdentityAtOnce();
        File.WriteAllText(stop, string.Empty);
        var appended = int.Parse(shell.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        shell.WaitForExit();

        _output.WriteLine($"flock(1) appended {appended} sections meanwhile");
        Assert.True(appended > 0);
        var (credentials, config) = _tree.Expected(_tree.Identities);
        var appendedText = string.Concat(Enumerable.Range(0, appended).Select(n => $"[flock-{n}]\naws_access_key_id = APPENDED{n:D6}\nregion = us-east-1\n\n"));
        FileChecks.Equal([.. credentials, .. Encoding.UTF8.GetBytes(appendedText)], File.ReadAllBytes(credentialsPath), "credentials");
        FileChecks.Equal(config, File.ReadAllBytes(Path.Join(Folder, "config")), "config");
        AssertNothingLeftBehind();
    }

    private void AssertNothingLeftBehind()
    {
        // The lock files stay at their stable paths; nothing else is left (no temporary file).
        Assert.Equal(["config", "config.lock", "credentials", "credentials.lock"], FileChecks.Names(Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Join(Folder, "credentials")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Join(Folder, "config")));
        Assert.False(File.Exists(_home.PathOf(LoadTree.CacheFile)));
        Assert.Equal([Path.Join(Folder, "config.lock"), Path.Join(Folder, "credentials.lock")], FileChecks.Locks(_home.Home).Order(StringComparer.Ordinal));
        Assert.Empty(FileChecks.Temporaries(_home.Home));
    }
}
