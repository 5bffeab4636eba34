using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>The published `atmos`, run as a process in a temp HOME, as a user runs it.</summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class PublishedHostTests : IDisposable
{
    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();
    private readonly string _config;

    public PublishedHostTests(PublishedAtmos atmos)
    {
        _atmos = atmos;
        _config = AwsTree.Seed(_home);
    }

    public void Dispose() => _home.Dispose();

    private Dictionary<string, string> Environment()
    {
        var environment = Processes.IsolatedEnvironment(_home);
        environment["ATMOS_KEYRING_TYPE"] = "memory";
        return environment;
    }

    private Processes.Outcome Atmos(params string[] args) => Processes.Run(_atmos.Executable, args, Environment(), _home.Root);

    [Fact]
    public void The_publish_folder_has_the_executable_the_manifest_and_the_plugins()
    {
        Assert.True(File.Exists(Path.Join(_atmos.Folder, "atmos")));
        Assert.True(File.Exists(Path.Join(_atmos.Folder, "plugins.json")));
        Assert.True(File.Exists(Path.Join(_atmos.Folder, "plugins", "Aws", "Atmos.Plugins.Aws.dll")));
        Assert.False(File.Exists(Path.Join(_atmos.Folder, "plugins", "Aws", "Atmos.Plugins.Contracts.dll")));
        Assert.True(File.Exists(Path.Join(_atmos.Folder, "atmos-plugin-host")), "atmos-plugin-host, which runs third-party plugins in processes of their own, is not published beside atmos");
    }

    [Fact]
    public void An_unknown_keyring_type_is_one_sentence_without_the_runtimes_parameter_name()
    {
        var environment = Processes.IsolatedEnvironment(_home);
        environment["ATMOS_KEYRING_TYPE"] = "bogus";

        var result = Processes.Run(_atmos.Executable, ["auth", "logout", "--all", "--config", _config], environment, _home.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Error: invalid configuration: error: unknown keyring type 'bogus' (ATMOS_KEYRING_TYPE); types that work on this OS: system, file, memory", result.Lines);
        Assert.DoesNotContain("Parameter", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_publish_folder_works_when_copied_elsewhere()
    {
        var copy = Path.Join(_home.Root, "copied-install");
        foreach (var file in Directory.EnumerateFiles(_atmos.Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Join(copy, Path.GetRelativePath(_atmos.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.SetUnixFileMode(Path.Join(copy, "atmos"), File.GetUnixFileMode(_atmos.Executable));
        var result = Processes.Run(Path.Join(copy, "atmos"), ["auth", "logout", "dev-admin", "--config", _config], Environment(), _home.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("✓ Files: ~/.config/atmos/aws/aws-sso/ (XDG-compliant)", result.Lines);
    }

    [RequiresProgramFact("/usr/bin/aws", "awscli")]
    public void After_an_identity_logout_the_aws_cli_reads_the_files_and_lists_exactly_the_remaining_profiles()
    {
        var result = Atmos("auth", "logout", "dev-admin", "--config", _config);
        Assert.Equal(0, result.ExitCode);

        var aws = Processes.Run("/usr/bin/aws", ["configure", "list-profiles"], new Dictionary<string, string>
        {
            ["HOME"] = _home.Home,
            ["AWS_CONFIG_FILE"] = _home.PathOf($"{AwsTree.SsoFolder}/config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = _home.PathOf($"{AwsTree.SsoFolder}/credentials"),
        });

        Assert.Equal(0, aws.ExitCode);
        Assert.Equal(
            ["default", "dev-org-admin", "dev-readonly", "prod-admin", "staging-admin", "unrelated-profile"],
            aws.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        var region = Processes.Run("/usr/bin/aws", ["configure", "get", "region", "--profile", "staging-admin"], new Dictionary<string, string>
        {
            ["HOME"] = _home.Home,
            ["AWS_CONFIG_FILE"] = _home.PathOf($"{AwsTree.SsoFolder}/config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = _home.PathOf($"{AwsTree.SsoFolder}/credentials"),
        });
        Assert.Equal("us-east-2", region.Stdout.Trim());
    }

    [Fact]
    public void Provider_and_all_remove_what_spec_section_3_says()
    {
        var provider = Atmos("auth", "logout", "--provider", "backup-provider", "--config", _config);
        Assert.Equal(0, provider.ExitCode);
        Assert.False(_home.Exists(AwsTree.BackupFolder));
        Assert.True(_home.Exists(AwsTree.SsoFolder));
        Assert.False(_home.Exists(AwsTree.CacheFile(AwsTree.BackupStartUrl)));
        Assert.True(_home.Exists(AwsTree.CacheFile(AwsTree.StartUrl)));

        var all = Atmos("auth", "logout", "--all", "--config", _config);
        Assert.Equal(0, all.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(_home.PathOf(".config/atmos/aws")));
        Assert.Empty(Directory.GetFileSystemEntries(_home.PathOf("custom/aws")));
        Assert.Equal(AwsTree.UserOwnAwsCredentials + "\n", _home.Read(".aws/credentials"));
    }

    [Fact]
    public void Dry_run_changes_no_byte()
    {
        var before = TempHome.Fingerprint(_home.Home);

        var result = Atmos("auth", "logout", "--all", "--dry-run", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TempHome.Fingerprint(_home.Home));
    }

    [Fact]
    public void An_unknown_identity_exits_2()
    {
        var result = Atmos("auth", "logout", "nobody", "--config", _config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Error: identity \"nobody\" not found in configuration", result.Lines[0]);
    }

    [Fact]
    public void Json_output_goes_to_stdout_and_human_output_to_stderr()
    {
        var result = Atmos("auth", "logout", "dev-admin", "--output", "json", "--config", _config);

        Assert.Equal(0, result.ExitCode);
        // A fresh process has an empty memory keyring: of the three keyring links only the provider's SSO token is a
        // kind that leaves an entry, so it alone is "not found" (the permission set and assumed role never store one);
        // the files are removed.
        using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal("partial", document.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("counts").GetProperty("removed").GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("counts").GetProperty("not_found").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal("Logging out from identity: dev-admin", result.Lines[0]);
    }
}
