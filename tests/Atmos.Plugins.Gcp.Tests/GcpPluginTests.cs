using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;
using McMaster.NETCore.Plugins;
using static Atmos.Plugins.Tests.Support.GcloudFixture;

namespace Atmos.Plugins.Gcp.Tests;

public sealed class GcpPluginTests : IDisposable
{
    private readonly PluginTestHome _home = new("gcp");
    private readonly GcpPlugin _plugin = new();
    private readonly ProviderTarget _provider;

    public GcpPluginTests()
    {
        _provider = _home.Provider("gcp-adc", GcpKinds.Adc);
        Create(_provider.Folder);
    }

    private string Gcloud => Path.Join(_provider.Folder, "gcloud");

    private string CredentialsDb => Path.Join(Gcloud, "credentials.db");

    private string AccessTokensDb => Path.Join(Gcloud, "access_tokens.db");

    private string Configuration(string name) => Path.Join(Gcloud, "configurations", "config_" + name);

    private string Legacy(string account) => Path.Join(Gcloud, "legacy_credentials", account);

    private string Adc(string identity) => Path.Join(_provider.Folder, "adc", identity);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Service_account_logout_removes_its_rows_legacy_folder_adc_and_account_setting_and_nothing_else()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));

        Assert.Equal(["remove-gcloud-accounts", "remove-adc"], outcome.Select(o => o.Step.Action));
        Assert.All(outcome, o => Assert.Equal(["dev-sa"], o.Step.Principals));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal(Gcloud + Path.DirectorySeparatorChar, outcome[0].Step.Target);
        Assert.Equal([CredentialsDb, AccessTokensDb, Legacy(DevServiceAccount) + Path.DirectorySeparatorChar, Configuration("dev-sa")], outcome[0].Step.Paths);
        Assert.Equal(Adc("dev-sa") + Path.DirectorySeparatorChar, outcome[1].Step.Target);

        Assert.Equal([User, ProdServiceAccount], AccountIds(CredentialsDb, "credentials"));
        Assert.Equal([User, ProdServiceAccount], AccountIds(AccessTokensDb, "access_tokens"));
        Assert.False(Directory.Exists(Legacy(DevServiceAccount)));
        Assert.True(File.Exists(Path.Join(Legacy(ProdServiceAccount), "adc.json")));
        Assert.True(File.Exists(Path.Join(Legacy(User), ".boto")));
        Assert.Equal(DevConfigurationWithoutAccount, File.ReadAllText(Configuration("dev-sa")));
        Assert.Equal(DefaultConfiguration, File.ReadAllText(Configuration("default")));
        Assert.Equal(ProjectConfiguration, File.ReadAllText(Configuration("proj-a")));
        Assert.Equal("default", File.ReadAllText(Path.Join(Gcloud, "active_config")));
        Assert.False(Directory.Exists(Adc("dev-sa")));
        Assert.True(Directory.Exists(Adc("prod-sa")));
    }

    [RequiresProgramFact("sqlite3", "sqlite3")]
    public void Sqlite3_cli_still_finds_the_other_accounts_rows()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));

        var credentials = PluginTestHome.Run("sqlite3", new Dictionary<string, string>(), CredentialsDb, "SELECT account_id FROM credentials ORDER BY account_id;");
        var tokens = PluginTestHome.Run("sqlite3", new Dictionary<string, string>(), AccessTokensDb, "SELECT account_id, token_expiry FROM access_tokens ORDER BY account_id;");
        var integrity = PluginTestHome.Run("sqlite3", new Dictionary<string, string>(), CredentialsDb, "PRAGMA integrity_check;");

        Assert.Equal((0, $"{User}\n{ProdServiceAccount}\n"), (credentials.ExitCode, credentials.Output));
        Assert.Equal((0, $"{User}|2030-01-01 14:30:00.5\n{ProdServiceAccount}|2030-01-01 13:00:00\n"), (tokens.ExitCode, tokens.Output));
        Assert.Equal("ok\n", integrity.Output);
    }

    [RequiresProgramFact("gcloud", "google-cloud-cli")]
    public void Gcloud_still_lists_the_other_accounts_from_the_edited_folder()
    {
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));

        // gcloud parses every stored key: the remaining service account gets a real (throw-away) one.
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        using (var connection = Open(CredentialsDb))
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE credentials SET value = $v WHERE account_id = $a";
            update.Parameters.AddWithValue("$v", ServiceAccountKey(ProdServiceAccount).Replace($"-----BEGIN PRIVATE KEY-----\\nfake-private-key-{ProdServiceAccount}\\n-----END PRIVATE KEY-----\\n", rsa.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal) + "\\n", StringComparison.Ordinal));
            update.Parameters.AddWithValue("$a", ProdServiceAccount);
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        var variables = new Dictionary<string, string>
        {
            ["HOME"] = _home.Home,
            ["CLOUDSDK_CONFIG"] = Gcloud,
            ["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1",
            ["CLOUDSDK_CORE_DISABLE_USAGE_REPORTING"] = "1",
        };
        var (exitCode, output, error) = PluginTestHome.Run("gcloud", variables, "auth", "list", "--format=value(account)");

        Assert.True(exitCode == 0, error);
        Assert.Equal([User, ProdServiceAccount], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("credentials.db")]
    [InlineData("access_tokens.db")]
    public void Database_write_locked_by_another_connection_fails_within_the_timeout_and_changes_nothing(string lockedFile)
    {
        var step = _plugin.Plan(_home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]))[0];
        var before = _home.TreeHash();

        StepResult result;
        var clock = Stopwatch.StartNew();
        using (var other = Open(Path.Join(Gcloud, lockedFile)))
        using (var writing = other.BeginTransaction(deferred: false))
        {
            using var command = other.CreateCommand();
            command.Transaction = writing;
            command.CommandText = lockedFile == "credentials.db" ? "UPDATE credentials SET value = value" : "UPDATE access_tokens SET rapt_token = NULL";
            command.ExecuteNonQuery();

            clock.Restart();
            result = _plugin.Execute(step, _home.Environment, CancellationToken.None);
            clock.Stop();
            writing.Rollback();
        }

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("locked by another process", result.Reason);
        Assert.Contains(lockedFile, result.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", result.Detail, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(6));
        Assert.Equal(Accounts.Order(StringComparer.Ordinal), AccountIds(CredentialsDb, "credentials"));
        Assert.Equal(Accounts.Order(StringComparer.Ordinal), AccountIds(AccessTokensDb, "access_tokens"));
        Assert.Equal(before, _home.TreeHash());
    }

    [Fact]
    public void Corrupt_database_fails_the_step_and_stays_untouched()
    {
        var corrupt = "SQLite format 2\0 this is not a database, it was truncated by a crash......"u8.ToArray();
        File.WriteAllBytes(CredentialsDb, corrupt);
        var before = _home.TreeHash();

        var step = _plugin.Plan(_home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]))[0];
        Assert.Equal(before, _home.TreeHash());
        Assert.Contains(CredentialsDb, step.Paths);
        var result = _plugin.Execute(step, _home.Environment, CancellationToken.None);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("corrupt database, left untouched", result.Reason);
        Assert.Contains("credentials.db", result.Detail, StringComparison.Ordinal);
        Assert.Equal(corrupt, File.ReadAllBytes(CredentialsDb));
        Assert.Equal(before, _home.TreeHash());
    }

    [Fact]
    public void Malformed_configuration_fails_the_step_before_anything_changes()
    {
        PluginTestHome.Write(Configuration("broken"), "account = nobody\n[core\n");
        var before = _home.TreeHash();

        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));

        Assert.Equal(StepStatus.Failed, outcome[0].Result.Status);
        Assert.Equal("malformed file, left untouched", outcome[0].Result.Reason);
        Assert.Contains("config_broken", outcome[0].Result.Detail, StringComparison.Ordinal);
        Assert.Equal(Accounts.Order(StringComparer.Ordinal), AccountIds(CredentialsDb, "credentials"));
        Assert.Equal(DevConfiguration, File.ReadAllText(Configuration("dev-sa")));
        Assert.Equal(StepStatus.Removed, outcome[1].Result.Status); // the identity's own ADC is independent of gcloud's folder
    }

    [Fact]
    public void Project_identity_keeps_an_account_another_configuration_still_uses()
    {
        // config_default names alice too: the project identity only borrows her login.
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Project("proj-a")]));

        Assert.Equal(["remove-gcloud-accounts", "remove-adc"], outcome.Select(o => o.Step.Action));
        Assert.Equal([Configuration("proj-a")], outcome[0].Step.Paths);
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal("[core]\nproject = proj-a\n\n", File.ReadAllText(Configuration("proj-a")));
        Assert.Equal(DefaultConfiguration, File.ReadAllText(Configuration("default")));
        Assert.Equal(Accounts.Order(StringComparer.Ordinal), AccountIds(CredentialsDb, "credentials"));
        Assert.True(Directory.Exists(Legacy(User)));
        Assert.False(Directory.Exists(Adc("proj-a")));
    }

    [Fact]
    public void Project_identity_removes_its_account_when_no_other_configuration_uses_it()
    {
        File.Delete(Configuration("default"));

        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [Project("proj-a")]));

        Assert.Equal([CredentialsDb, AccessTokensDb, Legacy(User) + Path.DirectorySeparatorChar, Configuration("proj-a")], outcome[0].Step.Paths);
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal([DevServiceAccount, ProdServiceAccount], AccountIds(CredentialsDb, "credentials"));
        Assert.Equal([DevServiceAccount, ProdServiceAccount], AccountIds(AccessTokensDb, "access_tokens"));
        Assert.False(Directory.Exists(Legacy(User)));
        Assert.Equal("[core]\nproject = proj-a\n\n", File.ReadAllText(Configuration("proj-a")));
    }

    [Fact]
    public void Principal_account_names_the_project_identitys_account_and_all_identities_share_one_gcloud_step()
    {
        var identities = new[] { ServiceAccount("dev-sa", DevServiceAccount), ServiceAccount("prod-sa", ProdServiceAccount.ToUpperInvariant()), Project("proj-b", ("principal.account", User)) };

        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], identities));

        Assert.Equal(["remove-gcloud-accounts", "remove-adc", "remove-adc"], outcome.Select(o => o.Step.Action));
        Assert.Equal(["dev-sa", "prod-sa"], outcome[0].Step.Principals); // alice stays: config_default and config_proj-a use her
        Assert.All(outcome, o => Assert.Equal(StepStatus.Removed, o.Result.Status));
        Assert.Equal([User], AccountIds(CredentialsDb, "credentials"));
        Assert.Equal([User], AccountIds(AccessTokensDb, "access_tokens"));
    }

    [Fact]
    public void Provider_logout_removes_the_provider_folder()
    {
        var identities = new[] { ServiceAccount("dev-sa", DevServiceAccount), Project("proj-a") };

        var (step, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Provider, [_provider], identities)));

        Assert.Equal("remove-provider-folder", step.Action);
        Assert.Equal([_provider.Folder + Path.DirectorySeparatorChar], step.Paths);
        Assert.Equal("XDG-compliant", step.Note);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.False(Directory.Exists(_provider.Folder));
        Assert.True(Directory.Exists(_home.Environment.DefaultBaseFolder));
    }

    [Fact]
    public void Symlinked_provider_folder_is_unlinked_and_its_target_survives()
    {
        var target = _home.ReplaceWithSymlink(_provider.Folder);

        var identityOutcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));
        Assert.All(identityOutcome, o => Assert.Equal(("refused: unsafe path", StepStatus.Failed), (o.Result.Reason, o.Result.Status)));

        var (_, result) = Assert.Single(_home.LogOut(_plugin, _home.Request(LogoutScope.Provider, [_provider], [])));

        // The link goes, the folder it points at is never entered: the step says its target still holds the credentials.
        Assert.Equal(("link removed, target kept", StepStatus.Failed), (result.Reason, result.Status));
        Assert.Contains($"still holds {"adc, gcloud"}", result.Detail, StringComparison.Ordinal);
        Assert.False(Path.Exists(_provider.Folder) || new FileInfo(_provider.Folder).LinkTarget is not null);
        Assert.Equal(Accounts.Order(StringComparer.Ordinal), AccountIds(Path.Join(target, "gcloud", "credentials.db"), "credentials"));
        Assert.True(File.Exists(Path.Join(target, "adc", "dev-sa", "application_default_credentials.json")));
    }

    [Fact]
    public void Plan_and_inspect_write_nothing()
    {
        _home.AssertPlanningWritesNothing(_plugin, _provider, new[] { ServiceAccount("dev-sa", DevServiceAccount), ServiceAccount("prod-sa", ProdServiceAccount), Project("proj-a") });
    }

    [Fact]
    public void Inspect_lists_files_and_rows_with_their_class_and_expiry()
    {
        var artifacts = _plugin.Inspect(_home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount), Project("proj-a")]));

        Assert.Equal(
            [
                ("dev-sa", Path.Join(Adc("dev-sa"), "application_default_credentials.json"), CredentialClass.LongLived, "application default credentials (service_account)", (DateTimeOffset?)null),
                ("proj-a", Path.Join(Adc("proj-a"), "application_default_credentials.json"), CredentialClass.Session, "application default credentials (authorized_user)", null),
                ("dev-sa", CredentialsDb, CredentialClass.LongLived, $"gcloud credential of {DevServiceAccount} (service_account)", null),
                ("proj-a", CredentialsDb, CredentialClass.Session, $"gcloud credential of {User} (authorized_user)", null),
                ("dev-sa", AccessTokensDb, CredentialClass.Session, $"gcloud access token of {DevServiceAccount}", new DateTimeOffset(2030, 1, 1, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4560)),
                ("proj-a", AccessTokensDb, CredentialClass.Session, $"gcloud access token of {User}", new DateTimeOffset(2030, 1, 1, 14, 30, 0, 500, TimeSpan.Zero)),
                ("proj-a", Path.Join(Legacy(User), "adc.json"), CredentialClass.Session, $"gcloud legacy credentials of {User} (authorized_user)", null),
                ("dev-sa", Path.Join(Legacy(DevServiceAccount), "adc.json"), CredentialClass.LongLived, $"gcloud legacy credentials of {DevServiceAccount} (service_account)", null),
            ],
            artifacts.Select(a => (a.Principal, a.Path, a.Class, a.Description, a.Expires)));
    }

    [Fact]
    public void Steps_results_and_status_carry_no_secret()
    {
        var identities = new[] { ServiceAccount("dev-sa", DevServiceAccount), Project("proj-a") };
        var inspected = _plugin.Inspect(_home.Request(LogoutScope.All, [_provider], identities));
        File.WriteAllBytes(CredentialsDb, "fake-not-a-database-but-a-secret"u8.ToArray());
        var outcome = _home.LogOut(_plugin, _home.Request(LogoutScope.Identity, [], identities));

        PluginTestHome.AssertNoSecret(inspected, outcome);
        Assert.Contains(outcome, o => o.Result.Status == StepStatus.Failed);
    }

    [Theory]
    [InlineData("{\"type\":\"service_account\",\"client_email\":\"sa@p.iam.gserviceaccount.com\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\"}", CredentialClass.LongLived)]
    [InlineData("{\"credentials\":{\"type\":\"service_account\",\"private_key\":\"k\"}}", CredentialClass.LongLived)]
    [InlineData("{\"type\":\"impersonated_service_account\",\"source_credentials\":{\"type\":\"service_account\",\"private_key\":\"k\"}}", CredentialClass.LongLived)]
    [InlineData("{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\",\"refresh_token\":\"r\"}", CredentialClass.Session)]
    [InlineData("{\"type\":\"external_account\",\"audience\":\"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x\"}", CredentialClass.Session)]
    [InlineData("{\"access_token\":\"a\",\"expiry\":\"2030-01-01T00:00:00Z\"}", CredentialClass.Session)]
    [InlineData("{\"type\":\"service_account\",\"private_key\":\"\"}", CredentialClass.Session)]
    public void Classify_keeps_service_account_keys_and_treats_tokens_as_session(string data, CredentialClass expected)
    {
        Assert.Equal(expected, _plugin.Classify(PluginTestHome.KeyringEntry("dev-sa", GcpKinds.ServiceAccount, "gcp", data)));
    }

    [Fact]
    public void Validation_names_the_setting_and_the_fix()
    {
        Assert.Empty(_plugin.ValidateIdentity(ServiceAccount("dev-sa", DevServiceAccount)));
        Assert.Empty(_plugin.ValidateIdentity(Project("proj-a")));
        Assert.Equal(
            ["identity 'bad' needs principal.service_account_email (<name>@<project>.iam.gserviceaccount.com): '../../etc@x' contains a path separator ('/' or '\\')"],
            _plugin.ValidateIdentity(ServiceAccount("bad", "../../etc@x")));
        Assert.Equal(
            ["identity 'p' (gcp/project) needs principal.project_id", "identity 'p': principal.account 'alice' is not an e-mail address"],
            _plugin.ValidateIdentity(PluginTestHome.Identity("p", GcpKinds.Project, _provider, ("principal.account", "alice"))));
        Assert.Equal(
            ["provider 'wif' (gcp/workload-identity-federation) has no audience; add spec.audience: //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"],
            _plugin.ValidateProvider(_home.Provider("wif", GcpKinds.WorkloadIdentityFederation)));
        Assert.Empty(_plugin.ValidateProvider(_home.Provider("wif", GcpKinds.WorkloadIdentityFederation, ("spec.audience", "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh"))));
    }

    [Fact]
    public void Built_plugin_loads_from_its_own_folder_with_its_own_sqlite()
    {
        // The host loads a plugin from its folder in a load context of its own, sharing only the contract.
        var testFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testFolder.Parent!.Name;
        var repository = testFolder.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var pluginFolder = Path.Join(repository, "plugins", "Gcp", "bin", configuration, testFolder.Name);
        Assert.True(File.Exists(Path.Join(pluginFolder, "Atmos.Plugins.Gcp.dll")), $"build the plugin first: {pluginFolder}");
        Assert.False(File.Exists(Path.Join(pluginFolder, "Atmos.Plugins.Contracts.dll")), "the contract must come from the host");

        using var loader = PluginLoader.CreateFromAssemblyFile(Path.Join(pluginFolder, "Atmos.Plugins.Gcp.dll"), isUnloadable: true, sharedTypes: [typeof(IProviderPlugin)]);
        var assembly = loader.LoadDefaultAssembly();
        var entry = assembly.GetCustomAttribute<AtmosPluginAttribute>()!.PluginType;
        var plugin = (IProviderPlugin)Activator.CreateInstance(entry)!;

        var steps = plugin.Plan(_home.Request(LogoutScope.Identity, [], [ServiceAccount("dev-sa", DevServiceAccount)]));

        Assert.Contains(CredentialsDb, steps[0].Paths); // read with SQLite inside the plugin's load context
        var sqlite = AssemblyLoadContext.GetLoadContext(assembly)!.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite");
        Assert.StartsWith(pluginFolder, sqlite.Location, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Removed, plugin.Execute(steps[0], _home.Environment, CancellationToken.None).Status);
        Assert.Equal([User, ProdServiceAccount], AccountIds(CredentialsDb, "credentials"));
    }

    private IdentityTarget ServiceAccount(string name, string email) =>
        PluginTestHome.Identity(name, GcpKinds.ServiceAccount, _provider, ("principal.service_account_email", email));

    private IdentityTarget Project(string name, params (string Path, string Value)[] more) =>
        PluginTestHome.Identity(name, GcpKinds.Project, _provider, [("principal.project_id", name), .. more]);
}
