using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Hostile;

/// <summary>
/// Honest outcomes (issue 17): a folder that cannot be entered is "cannot check", never "nothing stored"; a symlinked
/// provider folder's target is reported as still holding what it holds (one bad file failing only its own work, with
/// bounded memory: <see cref="BoundedMemoryTests"/>); concurrent logouts never print exception text; an internal error is one line naming the file;
/// <c>base_path</c> pointing at the wrong folder is refused or left alone, naming the setting.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class HonestOutcomeTests : IDisposable
{
    private readonly PublishedAtmos _atmos;
    private readonly SeededTree _tree = new();

    public HonestOutcomeTests(PublishedAtmos atmos) => _atmos = atmos;

    public void Dispose()
    {
        // A test may have made a folder unsearchable.
        foreach (var folder in Directory.EnumerateDirectories(_tree.Home.Root, "*", SearchOption.AllDirectories).ToList())
        {
            try
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_000_000);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        _tree.Dispose();
    }

    private string SsoFolder => _tree.Home.PathOf(AwsTree.SsoFolder);

    [RequiresRootTheory]
    [InlineData("mode 000")]
    [InlineData("root-owned after a sudo login")]
    public void A_provider_folder_the_user_cannot_enter_is_cannot_check_never_nothing_stored(string how)
    {
        AsUsers.OpenUpTo(_tree.Home);
        AsUsers.Chown(_tree.Home.Home, AsUsers.Nobody);
        AsUsers.Chown(_tree.Config, AsUsers.Nobody);
        if (how == "mode 000")
        {
            File.SetUnixFileMode(SsoFolder, 0);
        }
        else
        {
            AsUsers.Chown(SsoFolder, 0);
            File.SetUnixFileMode(SsoFolder, (UnixFileMode)0b111_000_000);
        }

        var environment = AtmosProcess.Environment(_tree.Home);
        environment["XDG_STATE_HOME"] = _tree.Home.PathOf(".local/state");
        var logout = AsUsers.RunAs(AsUsers.Nobody, _atmos.Executable, ["auth", "logout", "dev-admin", "--config", _tree.Config], environment, _tree.Home.Home);
        var status = AsUsers.RunAs(AsUsers.Nobody, _atmos.Executable, ["auth", "status", "dev-admin", "--config", _tree.Config], environment, _tree.Home.Home);

        Assert.DoesNotContain(logout.Lines, l => l.Contains("already logged out", StringComparison.Ordinal) && l.StartsWith("Identity", StringComparison.Ordinal));
        Assert.Contains(logout.Lines, l => l.StartsWith("✗ Files: ~/.config/atmos/aws/aws-sso/ (permission denied)", StringComparison.Ordinal));
        Assert.Contains(logout.Lines, l => l.Contains("permission denied changing ~/.config/atmos/aws/aws-sso/", StringComparison.Ordinal) && l.Contains("ls -la ~/.config/atmos/aws/aws-sso", StringComparison.Ordinal));
        Assert.Contains(status.Lines, l => l.Contains("~/.config/atmos/aws/aws-sso/credentials (cannot check: permission denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provider_logout_through_a_symlinked_provider_folder_says_its_target_still_holds_the_credentials()
    {
        var target = Path.Join(_tree.Home.Root, "elsewhere", "aws-sso");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(SsoFolder, target);
        Directory.CreateSymbolicLink(SsoFolder, target);
        var before = TempHome.Fingerprint(target);

        var result = await _tree.Cli.RunBounded(["auth", "logout", "--provider", "aws-sso", "--config", _tree.Config]);

        Assert.Equal(before, TempHome.Fingerprint(target));
        Assert.False(Path.Exists(SsoFolder) || new FileInfo(SsoFolder).LinkTarget is not null);
        Assert.Contains("✗ Files: ~/.config/atmos/aws/aws-sso/ (link removed, target kept)", result.Lines);
        Assert.Contains(result.Lines, l => l.Contains($"~/.config/atmos/aws/aws-sso was a symbolic link to {target}; atmos removed the link but never deletes through one, so {target} still holds config, credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("Successfully", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_provider_and_identity_logouts_never_print_exception_text()
    {
        var random = Trials.Random(_ => { });
        for (var round = 0; round < Trials.Count(10); round++)
        {
            using var tree = new SeededTree();
            var runs = new[]
            {
                tree.Cli.RunBounded(["auth", "logout", "--provider", "aws-sso", "--config", tree.Config]),
                tree.Cli.RunBounded(["auth", "logout", "dev-admin", "--config", tree.Config]),
                tree.Cli.RunBounded(["auth", "logout", "prod-admin", "--config", tree.Config]),
                tree.Cli.RunBounded(["auth", "logout", "dev-readonly", "--config", tree.Config]),
            }.OrderBy(_ => random.Next()).ToArray();
            foreach (var result in await Task.WhenAll(runs))
            {
                Assert.True(result.ExitCode is 0 or 1, result.Stderr);
                foreach (var text in new[] { "Exception", "Could not find", "   at ", "Access to the path" })
                {
                    Assert.DoesNotContain(text, result.Stderr, StringComparison.Ordinal);
                }
            }

            // Both the provider logout and dev-admin's aim at dev-admin's section: whichever won, it is gone.
            var credentials = tree.Home.PathOf($"{AwsTree.SsoFolder}/credentials");
            Assert.False(File.Exists(credentials) && File.ReadAllText(credentials).Contains("[dev-admin]", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_internal_error_is_one_line_naming_the_file_without_exception_text()
    {
        var environment = new PluginEnvironment("/home/u", "/home/u/.config/atmos/aws", "/home/u/.cache", "/home/u/.local/share", TimeSpan.FromSeconds(1), TimeProvider.System, new Dictionary<string, string>());
        var result = StepResults.FromException(new InvalidOperationException("Sequence contains no elements\n   at Foo.Bar()"), "/home/u/.config/atmos/aws/p/credentials", environment);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("internal error", result.Reason);
        Assert.Equal("~/.config/atmos/aws/p/credentials: internal error in atmos (InvalidOperation); the file may be unchanged, please report this", result.Detail);
    }

    [Theory]
    [InlineData("~", "your home folder")]
    [InlineData("/", "the root folder /")]
    [InlineData("/etc", "the system folder /etc")]
    [InlineData("~/link-to-home", "your home folder")]
    [InlineData("../..", "a folder above your home folder")]
    public async Task A_base_path_at_home_root_or_a_system_folder_is_refused_naming_the_setting(string basePath, string where)
    {
        Directory.CreateSymbolicLink(_tree.Home.PathOf("link-to-home"), _tree.Home.Home);
        var config = _tree.Home.Write("project/danger.yaml", $"auth:\n  providers:\n    Documents:\n      kind: aws/saml\n      region: us-east-1\n      spec:\n        files:\n          base_path: \"{basePath}\"\n");
        _tree.Home.Write("Documents/thesis.txt", "years of work");

        var validate = await _tree.Cli.RunBounded(["auth", "validate", "--config", config]);
        var logout = await _tree.Cli.RunBounded(["auth", "logout", "--provider", "Documents", "--config", config]);

        Assert.Equal(2, validate.ExitCode);
        Assert.Contains(validate.Lines, l => l.Contains($"provider 'Documents': spec.files.base_path '{basePath}' resolves to ", StringComparison.Ordinal) && l.Contains(where, StringComparison.Ordinal));
        // The entry is refused on its own (a failed step naming the setting); nothing is deleted.
        Assert.Equal(1, logout.ExitCode);
        Assert.Contains(logout.Lines, l => l.StartsWith("✗ Config: Documents (invalid configuration)", StringComparison.Ordinal));
        Assert.Contains(logout.Lines, l => l.Contains($"spec.files.base_path '{basePath}' resolves to ", StringComparison.Ordinal) && l.Contains(where, StringComparison.Ordinal));
        Assert.Equal("years of work", _tree.Home.Read("Documents/thesis.txt"));
    }

    [Fact]
    public async Task A_provider_folder_under_a_base_path_holding_no_atmos_files_is_left_alone_naming_the_setting()
    {
        var config = _tree.Home.Write("project/work.yaml", "auth:\n  providers:\n    projects:\n      kind: aws/saml\n      region: us-east-1\n      spec:\n        files:\n          base_path: ~/work\n");
        _tree.Home.Write("work/projects/report.txt", "keep");

        var dryRun = await _tree.Cli.RunBounded(["auth", "logout", "--provider", "projects", "--dry-run", "--output", "json", "--config", config]);
        var result = await _tree.Cli.RunBounded(["auth", "logout", "--provider", "projects", "--config", config]);

        // The plan already says so (its note, in --output json; the text dry run lists paths only).
        Assert.Contains("\"holds no atmos files: left alone, check providers.projects.spec.files.base_path\"", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("✗ Files: ~/work/projects/ (left alone: not an atmos folder)", result.Lines);
        Assert.Contains(result.Lines, l => l.Contains("~/work/projects holds report.txt and none of the files atmos writes there (credentials, config), so it was left alone; check providers.projects.spec.files.base_path", StringComparison.Ordinal));
        Assert.Equal("keep", _tree.Home.Read("work/projects/report.txt"));
    }
}
