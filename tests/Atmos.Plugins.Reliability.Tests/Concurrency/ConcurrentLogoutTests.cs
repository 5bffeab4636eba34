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
/// following the lock protocol.
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

    [Fact]
    public void Sixteen_logouts_and_a_writer_appending_sections_meanwhile_lose_no_update()
    {
        var credentialsPath = Path.Join(Folder, "credentials");
        int appended;
        using (var writer = HelperProcess.Start("append", credentialsPath, "writer"))
        {
            LogOutEveryIdentityAtOnce();
            Assert.Equal(0, writer.Finish(TimeSpan.FromSeconds(30)));
            appended = int.Parse(writer.Output.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        }

        _output.WriteLine($"the writer appended {appended} sections meanwhile");
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

    private void AssertNothingLeftBehind()
    {
        Assert.Equal(["config", "credentials"], FileChecks.Names(Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Join(Folder, "credentials")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Join(Folder, "config")));
        Assert.False(File.Exists(_home.PathOf(LoadTree.CacheFile)));
        Assert.Empty(FileChecks.Locks(_home.Home));
        Assert.Empty(FileChecks.Temporaries(_home.Home));
    }
}
