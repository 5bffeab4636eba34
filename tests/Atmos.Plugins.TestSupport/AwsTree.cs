using System.Security.Cryptography;
using System.Text;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// A realistic AWS tree: 3 providers (one with a custom base_path), 10 identities, chains 3 deep, comments and unrelated
/// sections in the INI files, SSO token caches (ours and others'), the user's own ~/.aws files, and keyring entries.
/// </summary>
public static class AwsTree
{
    public const string StartUrl = "https://mycompany.awsapps.com/start";
    public const string BackupStartUrl = "https://backup.awsapps.com/start";

    public const string Config = """
        # Realistic atmos.yaml: three providers, ten identities, chains three deep.
        auth:
          providers:
            aws-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://mycompany.awsapps.com/start
            backup-provider:
              kind: aws/iam-identity-center
              region: eu-west-1
              start_url: https://backup.awsapps.com/start
              spec:
                files:
                  base_path: ~/custom/aws
            saml-okta:
              kind: aws/saml
              region: us-west-2
          identities:
            dev-org-admin:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: OrganizationAdmin, account: { name: dev-account } }
            dev-admin:
              kind: aws/assume-role
              via: { identity: dev-org-admin }
              principal: { assume_role: "arn:aws:iam::111111111111:role/dev-admin" }
            dev-readonly:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: ReadOnly, account: { name: dev-account } }
            prod-admin:
              kind: aws/permission-set
              via: { provider: aws-sso }
              principal: { name: AdminAccess, account: { name: prod-account } }
            staging-admin:
              kind: aws/assume-role
              via: { identity: prod-admin }
              principal: { assume_role: "arn:aws:iam::222222222222:role/staging" }
            backup-reader:
              kind: aws/permission-set
              via: { provider: backup-provider }
              principal: { name: ReadOnly, account: { name: backup-account } }
            backup-admin:
              kind: aws/assume-role
              via: { identity: backup-reader }
              principal: { assume_role: "arn:aws:iam::333333333333:role/backup-admin" }
            okta-analyst:
              kind: aws/assume-role
              via: { provider: saml-okta }
              principal: { assume_role: "arn:aws:iam::444444444444:role/analyst" }
            ci-user:
              kind: aws/user
            ci-deployer:
              kind: aws/assume-role
              via: { identity: ci-user }
              principal: { assume_role: "arn:aws:iam::555555555555:role/deployer" }
        """;

    public const string SsoCredentials = """
        # Managed by atmos. Comments and unrelated sections must survive.
        [dev-org-admin]
        aws_access_key_id = ASIADEVORGADMIN0001
        aws_secret_access_key = SECRET-dev-org-admin
        aws_session_token = TOKEN-dev-org-admin

        [dev-admin]
        aws_access_key_id = ASIADEVADMIN0000001
        aws_secret_access_key = SECRET-dev-admin
        aws_session_token = TOKEN-dev-admin

        ; hand-written profile, not managed by atmos
        [unrelated-profile]
        aws_access_key_id = AKIAUNRELATED000001
        aws_secret_access_key = SECRET-unrelated

        [dev-readonly]
        aws_access_key_id = ASIADEVREADONLY0001
        aws_secret_access_key = SECRET-dev-readonly
        aws_session_token = TOKEN-dev-readonly

        # production below
        [prod-admin]
        aws_access_key_id = ASIAPRODADMIN000001
        aws_secret_access_key = SECRET-prod-admin
        aws_session_token = TOKEN-prod-admin

        [staging-admin]
        aws_access_key_id = ASIASTAGINGADMIN001
        aws_secret_access_key = SECRET-staging-admin
        aws_session_token = TOKEN-staging-admin
        """;

    public const string SsoConfig = """
        [default]
        region = us-east-1

        [profile dev-org-admin]
        region = us-east-1
        output = json

        [profile dev-admin]
        region = us-east-1
        s3 =
          max_concurrent_requests = 20

        [profile dev-readonly]
        region = us-east-1

        [profile prod-admin]
        region = us-east-1

        [profile staging-admin]
        region = us-east-2

        [sso-session aws-sso]
        sso_start_url = https://mycompany.awsapps.com/start
        sso_region = us-east-1
        """;

    public const string BackupCredentials = """
        [backup-reader]
        aws_access_key_id = ASIABACKUPREADER001
        aws_secret_access_key = SECRET-backup-reader
        aws_session_token = TOKEN-backup-reader

        [backup-admin]
        aws_access_key_id = ASIABACKUPADMIN0001
        aws_secret_access_key = SECRET-backup-admin
        aws_session_token = TOKEN-backup-admin
        """;

    public const string OktaCredentials = """
        [okta-analyst]
        aws_access_key_id = ASIAOKTAANALYST0001
        aws_secret_access_key = SECRET-okta-analyst
        aws_session_token = TOKEN-okta-analyst
        """;

    public const string StandaloneCredentials = """
        [ci-user]
        aws_access_key_id = AKIACIUSER000000001
        aws_secret_access_key = SECRET-ci-user

        [ci-deployer]
        aws_access_key_id = ASIACIDEPLOYER00001
        aws_secret_access_key = SECRET-ci-deployer
        aws_session_token = TOKEN-ci-deployer
        """;

    public const string UserOwnAwsCredentials = """
        [default]
        aws_access_key_id = AKIAUSERSOWNKEY0001
        aws_secret_access_key = SECRET-users-own
        """;

    public const string SsoFolder = ".config/atmos/aws/aws-sso";
    public const string BackupFolder = "custom/aws/backup-provider";
    public const string OktaFolder = ".config/atmos/aws/saml-okta";
    public const string StandaloneFolder = ".config/atmos/aws/aws-user";

    /// <summary>The SSO cache file name the AWS CLI uses for a start URL or session name.</summary>
    public static string CacheFile(string key) => $".aws/sso/cache/{Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(key)))}.json";

    /// <summary>Every secret value seeded anywhere, for leak checks.</summary>
    public static IEnumerable<string> Secrets =>
        new[] { SsoCredentials, BackupCredentials, OktaCredentials, StandaloneCredentials, UserOwnAwsCredentials }
            .SelectMany(text => text.Split('\n'))
            .Where(line => line.Contains("SECRET-", StringComparison.Ordinal) || line.Contains("TOKEN-", StringComparison.Ordinal))
            .Select(line => line.Split('=', 2)[1].Trim())
            .Concat(KeyringSecrets.Values.SelectMany(v => v.Split('"')).Where(p => p.StartsWith("KR-", StringComparison.Ordinal)));

    public static readonly IReadOnlyDictionary<string, string> KeyringSecrets = new Dictionary<string, string>
    {
        ["aws-sso"] = """{"type":"aws","data":{"access_token":"KR-sso-access-token","expires_at":"2030-01-01T00:00:00Z"}}""",
        ["dev-org-admin"] = """{"type":"aws","data":{"access_key_id":"ASIA1","secret_access_key":"KR-dev-org-secret","session_token":"KR-dev-org-token"}}""",
        ["dev-admin"] = """{"type":"aws","data":{"access_key_id":"ASIA2","secret_access_key":"KR-dev-admin-secret","session_token":"KR-dev-admin-token"}}""",
        ["prod-admin"] = """{"type":"aws","data":{"access_key_id":"ASIA3","secret_access_key":"KR-prod-secret","session_token":"KR-prod-token"}}""",
        ["backup-provider"] = """{"type":"aws","data":{"access_token":"KR-backup-access-token"}}""",
        ["ci-user"] = """{"type":"aws","data":{"access_key_id":"AKIA4","secret_access_key":"KR-ci-user-long-lived-secret"}}""",
    };

    /// <summary>What `atmos auth status dev-admin` shows for the seeded tree, read from <paramref name="backend"/>.</summary>
    public static IReadOnlyList<string> DevAdminStatus(string backend) =>
    [
        "Config: ~/project/atmos.yaml",
        $"Keyring: {backend}",
        "aws-sso (provider, aws/iam-identity-center)",
        "  • Keyring: session, expires 2030-01-01T00:00:00Z",
        $"  • Files: ~/{CacheFile(StartUrl)} (SSO token, session, expires 2030-01-01T00:00:00Z)",
        "dev-org-admin (identity via aws-sso, aws/permission-set)",
        "  • Keyring: session",
        "dev-admin (identity via aws-sso, aws/assume-role)",
        "  • Keyring: session",
        "  • Files: ~/.config/atmos/aws/aws-sso/credentials (profile in credentials, session)",
        "  • Files: ~/.config/atmos/aws/aws-sso/config (profile in config, session)",
        "3 of 3 identities and providers hold local credentials.",
    ];

    /// <summary>Writes the whole tree under <paramref name="home"/> and returns the config path.</summary>
    public static string Seed(TempHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        var config = home.Write("project/atmos.yaml", Config + "\n");
        home.Write($"{SsoFolder}/credentials", SsoCredentials + "\n");
        home.Write($"{SsoFolder}/config", SsoConfig + "\n");
        home.Write($"{BackupFolder}/credentials", BackupCredentials + "\n");
        home.Write($"{OktaFolder}/credentials", OktaCredentials + "\n");
        home.Write($"{StandaloneFolder}/credentials", StandaloneCredentials + "\n");
        home.Write(".aws/credentials", UserOwnAwsCredentials + "\n");
        home.Write(".aws/config", "[default]\nregion = us-east-1\n");
        home.Write(CacheFile(StartUrl), $$"""{"startUrl": "{{StartUrl}}", "region": "us-east-1", "accessToken": "KR-cache-token", "expiresAt": "2030-01-01T00:00:00Z"}""");
        home.Write(CacheFile(BackupStartUrl), $$"""{"startUrl": "{{BackupStartUrl}}", "region": "eu-west-1", "accessToken": "KR-backup-cache-token", "expiresAt": "2030-01-01T00:00:00Z"}""");
        home.Write(CacheFile("https://someone-else.awsapps.com/start"), """{"startUrl": "https://someone-else.awsapps.com/start", "accessToken": "other"}""");
        home.Write(".aws/sso/cache/botocore-client-id-us-east-1.json", """{"clientId": "x", "clientSecret": "y"}""");
        return config;
    }

    /// <summary>Seeds the keyring entries.</summary>
    public static async Task SeedKeyring(IKeyring keyring)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        foreach (var (name, secret) in KeyringSecrets)
        {
            await keyring.SetAsync(name, secret, CancellationToken.None);
        }
    }

    /// <summary>The INI text with the named sections removed by hand (the expected result of a logout; docs/decisions.md §6).</summary>
    public static string Without(string ini, params string[] sectionHeaders)
    {
        // Lines with their terminators, so the end of the file is not mistaken for an empty line.
        var lines = System.Text.RegularExpressions.Regex.Split(ini, "(?<=\n)").Where(l => l.Length > 0).ToList();
        static bool Quiet(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith(';');
        foreach (var header in sectionHeaders)
        {
            var start = lines.FindIndex(l => l.Trim() == $"[{header}]");
            Assert.True(start >= 0, $"fixture has no [{header}]");
            var end = lines.FindIndex(start + 1, l => l.StartsWith('['));
            end = end < 0 ? lines.Count : end;

            // Comments leading into the next header stay with it, with the blank lines after them.
            var keepFrom = end;
            if (end < lines.Count)
            {
                var last = end - 1;
                while (last > start && Quiet(lines[last]))
                {
                    last--;
                }

                var firstComment = lines.FindIndex(last + 1, end - last - 1, l => l.Trim().Length > 0);
                keepFrom = firstComment >= 0 ? firstComment : end;
            }

            lines.RemoveRange(start, keepFrom - start);
        }

        return string.Concat(lines);
    }
}
