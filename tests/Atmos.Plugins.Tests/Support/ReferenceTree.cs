using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// The states behind the reference doc's examples (reference/atmos-auth-logout.md): its providers and identities, the
/// keyring entries and files each example starts from. Each example seeds only what its output shows, so the rendered
/// output can be compared with the doc line for line.
/// </summary>
public static class ReferenceTree
{
    private const string AwsSso = """
            aws-sso:
              kind: aws/iam-identity-center
              region: us-east-1
              start_url: https://mycompany.awsapps.com/start
        """;

    private const string BackupProvider = """
            backup-provider:
              kind: aws/iam-identity-center
              region: eu-west-1
              start_url: https://backup.awsapps.com/start
        """;

    /// <summary>
    /// The chain examples (identity, --all, --provider, dry runs): <c>aws-sso → dev-org-admin → dev-admin</c>, plus
    /// prod-admin and dev-readonly under aws-sso, a second provider for the <c>--all --dry-run</c> example and an IAM user.
    /// </summary>
    public static readonly string ChainConfig = Config(
        [AwsSso, BackupProvider],
        [
            PermissionSet("dev-org-admin", "aws-sso", "OrganizationAdmin", "dev-account"),
            """
                dev-admin:
                  kind: aws/assume-role
                  via:
                    identity: dev-org-admin
                  principal:
                    assume_role: arn:aws:iam::111111111111:role/dev-admin
            """,
            PermissionSet("prod-admin", "aws-sso", "AdminAccess", "prod-account"),
            PermissionSet("dev-readonly", "aws-sso", "ReadOnlyAccess", "dev-account"),
            PermissionSet("backup-reader", "backup-provider", "ReadOnlyAccess", "backup-account"),
            """
                ci-user:
                  kind: aws/user
            """,
        ]);

    /// <summary>
    /// The doc's "Configuration" section (dev-admin and prod-admin straight under aws-sso) plus the dev-readonly of its
    /// interactive-mode example: the error-handling, not-found and picker examples.
    /// </summary>
    public static readonly string DocConfig = Config(
        [AwsSso],
        [
            PermissionSet("dev-admin", "aws-sso", "AdminAccess", "dev-account"),
            PermissionSet("prod-admin", "aws-sso", "AdminAccess", "prod-account"),
            PermissionSet("dev-readonly", "aws-sso", "ReadOnlyAccess", "dev-account"),
        ]);

    private static string Config(string[] providers, string[] identities) =>
        $"auth:\n  providers:\n{string.Join('\n', providers)}\n  identities:\n{string.Join('\n', identities)}";

    // The reference doc's identity shape: a permission set in an account, through an Identity Center provider.
    private static string PermissionSet(string name, string provider, string permissionSet, string account) => $"""
            {name}:
              kind: aws/permission-set
              via:
                provider: {provider}
              principal:
                name: {permissionSet}
                account:
                  name: "{account}"
        """;

    /// <summary>The provider folder every example shows.</summary>
    public const string SsoFolder = ".config/atmos/aws/aws-sso";

    /// <summary>The second provider's folder (the <c>--all --dry-run</c> example).</summary>
    public const string BackupFolder = ".config/atmos/aws/backup-provider";

    /// <summary>A session keyring value of an identity: temporary role credentials (never printed).</summary>
    public static string SessionSecret(string name) =>
        $$$"""{"type":"aws","data":{"access_key_id":"ASIA{{{name.Length}}}","secret_access_key":"REF-secret-{{{name}}}","session_token":"REF-token-{{{name}}}","expiration":"2030-01-01T12:00:00Z"}}""";

    /// <summary>The provider's SSO session in the keyring.</summary>
    public const string ProviderSecret = """{"type":"aws","data":{"access_token":"REF-sso-access-token","expires_at":"2030-01-01T08:00:00Z"}}""";

    /// <summary>A long-lived IAM user key (kept unless --keychain).</summary>
    public const string UserSecret = """{"type":"aws","data":{"access_key_id":"AKIAREF","secret_access_key":"REF-long-lived-secret"}}""";

    /// <summary>Every secret value seeded here, for leak checks.</summary>
    public static IReadOnlyList<string> Secrets { get; } =
    [
        "REF-secret-", "REF-token-", "REF-sso-access-token", "REF-long-lived-secret", "REF-file-secret-", "REF-file-token-",
    ];

    /// <summary>Writes atmos.yaml and returns its path.</summary>
    public static string WriteConfig(TempHome home, string config)
    {
        ArgumentNullException.ThrowIfNull(home);
        return home.Write("project/atmos.yaml", config + "\n");
    }

    /// <summary>Writes the provider folder holding the named identities' profiles (credentials and config).</summary>
    public static void WriteProfiles(TempHome home, string folder, params string[] identities)
    {
        ArgumentNullException.ThrowIfNull(home);
        home.Write($"{folder}/credentials", string.Concat(identities.Select(i =>
            $"[{i}]\naws_access_key_id = ASIA{i.Length}\naws_secret_access_key = REF-file-secret-{i}\naws_session_token = REF-file-token-{i}\naws_session_expiration = 2030-01-01T12:00:00Z\n\n")));
        home.Write($"{folder}/config", string.Concat(identities.Select(i => $"[profile {i}]\nregion = us-east-1\n\n")));
    }

    /// <summary>Stores session entries for the named identities and providers.</summary>
    public static async Task SeedKeyring(IKeyring keyring, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        foreach (var name in names)
        {
            var secret = name switch
            {
                "aws-sso" or "backup-provider" => ProviderSecret,
                "ci-user" => UserSecret,
                _ => SessionSecret(name),
            };
            await keyring.SetAsync(name, secret, CancellationToken.None);
        }
    }
}
