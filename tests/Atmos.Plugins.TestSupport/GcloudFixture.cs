using Microsoft.Data.Sqlite;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// A gcloud config folder laid out the way gcloud writes it: its SQLite stores created with gcloud's own
/// <c>CREATE TABLE</c> statements (googlecloudsdk/core/credentials/creds.py), credential values as gcloud's JSON,
/// access-token expiries as Python's sqlite3 stores a datetime, legacy credential folders, INI configurations.
/// </summary>
public static class GcloudFixture
{
    public const string DevServiceAccount = "sa-dev@proj-dev.iam.gserviceaccount.com";
    public const string ProdServiceAccount = "sa-prod@proj-prod.iam.gserviceaccount.com";
    public const string User = "alice@corp.example.com";

    private const string TokenInsert = "INSERT INTO \"access_tokens\" (account_id, access_token, token_expiry, rapt_token, id_token) VALUES ($a, $v, $e, NULL, NULL)";

    public const string DefaultConfiguration = "[core]\naccount = alice@corp.example.com\nproject = corp-shared\n\n";

    public const string DevConfiguration =
        "# written by atmos auth login dev-sa\n[core]\naccount = sa-dev@proj-dev.iam.gserviceaccount.com\nproject = proj-dev\n\n[compute]\nregion = europe-west1\n\n";

    public const string DevConfigurationWithoutAccount =
        "# written by atmos auth login dev-sa\n[core]\nproject = proj-dev\n\n[compute]\nregion = europe-west1\n\n";

    public const string ProjectConfiguration = "[core]\naccount = alice@corp.example.com\nproject = proj-a\n\n";

    public static string[] Accounts { get; } = [DevServiceAccount, ProdServiceAccount, User];

    public static string ServiceAccountKey(string email) =>
        $$"""
        {
          "client_email": "{{email}}",
          "client_id": "104211962917612345678",
          "private_key": "-----BEGIN PRIVATE KEY-----\nfake-private-key-{{email}}\n-----END PRIVATE KEY-----\n",
          "private_key_id": "fake-key-id-0123456789abcdef",
          "token_uri": "https://oauth2.googleapis.com/token",
          "type": "service_account",
          "universe_domain": "googleapis.com"
        }
        """;

    public static string AuthorizedUser() =>
        """
        {
          "client_id": "32555940559.apps.googleusercontent.com",
          "client_secret": "fake-gcloud-client-secret",
          "refresh_token": "fake-refresh-token-alice",
          "revoke_uri": "https://oauth2.googleapis.com/revoke",
          "scopes": ["openid", "https://www.googleapis.com/auth/cloud-platform"],
          "token_uri": "https://oauth2.googleapis.com/token",
          "type": "authorized_user",
          "universe_domain": "googleapis.com"
        }
        """;

    /// <summary>Writes the whole folder under <paramref name="providerFolder"/>.</summary>
    public static void Create(string providerFolder)
    {
        var gcloud = Path.Join(providerFolder, "gcloud");
        Directory.CreateDirectory(gcloud);
        Execute(
            Path.Join(gcloud, "credentials.db"),
            "CREATE TABLE IF NOT EXISTS \"credentials\" (account_id TEXT PRIMARY KEY, value BLOB)",
            ("INSERT INTO \"credentials\" (account_id, value) VALUES ($a, $v)", DevServiceAccount, ServiceAccountKey(DevServiceAccount), null),
            ("INSERT INTO \"credentials\" (account_id, value) VALUES ($a, $v)", ProdServiceAccount, ServiceAccountKey(ProdServiceAccount), null),
            ("INSERT INTO \"credentials\" (account_id, value) VALUES ($a, $v)", User, AuthorizedUser(), null));
        Execute(
            Path.Join(gcloud, "access_tokens.db"),
            "CREATE TABLE IF NOT EXISTS \"access_tokens\" (account_id TEXT PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)",
            (TokenInsert, DevServiceAccount, "fake-access-token-dev", "2030-01-01 12:00:00.123456"),
            (TokenInsert, ProdServiceAccount, "fake-access-token-prod", "2030-01-01 13:00:00"),
            (TokenInsert, User, "fake-access-token-alice", "2030-01-01 14:30:00.5"));

        foreach (var account in new[] { DevServiceAccount, ProdServiceAccount })
        {
            PluginTestHome.Write(Path.Join(gcloud, "legacy_credentials", account, "adc.json"), ServiceAccountKey(account));
        }

        PluginTestHome.Write(Path.Join(gcloud, "legacy_credentials", User, "adc.json"), AuthorizedUser());
        PluginTestHome.Write(Path.Join(gcloud, "legacy_credentials", User, ".boto"), "[OAuth2]\nclient_id = 32555940559.apps.googleusercontent.com\n");
        PluginTestHome.Write(Path.Join(gcloud, "configurations", "config_default"), DefaultConfiguration);
        PluginTestHome.Write(Path.Join(gcloud, "configurations", "config_dev-sa"), DevConfiguration);
        PluginTestHome.Write(Path.Join(gcloud, "configurations", "config_proj-a"), ProjectConfiguration);
        PluginTestHome.Write(Path.Join(gcloud, "active_config"), "default");

        PluginTestHome.Write(Path.Join(providerFolder, "adc", "dev-sa", "application_default_credentials.json"), ServiceAccountKey(DevServiceAccount));
        PluginTestHome.Write(Path.Join(providerFolder, "adc", "prod-sa", "application_default_credentials.json"), ServiceAccountKey(ProdServiceAccount));
        PluginTestHome.Write(Path.Join(providerFolder, "adc", "proj-a", "application_default_credentials.json"), AuthorizedUser());
    }

    /// <summary>The account ids in a database's table, sorted.</summary>
    public static List<string> AccountIds(string database, string table)
    {
        using var connection = Open(database, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT account_id FROM \"{table}\" ORDER BY account_id";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public static SqliteConnection Open(string database, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(string database, string create, params (string Sql, string Account, string Value, string? Expiry)[] rows)
    {
        using var connection = Open(database, SqliteOpenMode.ReadWriteCreate);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = create;
            command.ExecuteNonQuery();
        }

        foreach (var (sql, account, value, expiry) in rows)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$a", account);
            command.Parameters.AddWithValue("$v", value);
            if (expiry is not null)
            {
                command.Parameters.AddWithValue("$e", expiry);
            }

            command.ExecuteNonQuery();
        }
    }
}
