using System.Globalization;
using System.Text;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>
/// One Identity Center provider with many identities, and its credentials and config files holding their sections
/// among many unrelated ones (some with comments above them), plus the provider's SSO token in the AWS CLI cache.
/// </summary>
public sealed class LoadTree
{
    public const string Provider = "aws-sso";
    public const string StartUrl = "https://load.awsapps.com/start";
    public const string Folder = ".config/atmos/aws/aws-sso";

    public LoadTree(int identities, int unrelated)
    {
        Identities = Enumerable.Range(0, identities).Select(i => $"id-{i:D2}").ToList();

        // Identity sections spread evenly among the unrelated ones; every third block has a comment above it.
        var credentials = new List<IniBlock>();
        var config = new List<IniBlock> { new("default", "# managed by hand\n", "[default]\nregion = us-east-1\n\n") };
        var every = Math.Max(1, unrelated / Math.Max(1, identities));
        for (int u = 0, i = 0; u < unrelated || i < identities; u++)
        {
            if (i < identities && (u % every == 0 || u >= unrelated))
            {
                credentials.Add(IniBlocks.Credentials(Identities[i], i % 3 == 0 ? $"# {Identities[i]}: written by atmos\n" : string.Empty));
                config.Add(IniBlocks.ConfigProfile(Identities[i], i % 3 == 1 ? $"; {Identities[i]}\n" : string.Empty));
                i++;
            }

            if (u < unrelated)
            {
                var name = $"unrelated-{u:D5}";
                credentials.Add(IniBlocks.Credentials(name, u % 3 == 2 ? $"; hand-written {name}\n" : string.Empty));
                config.Add(IniBlocks.ConfigProfile(name, u % 3 == 0 ? $"# {name}\n" : string.Empty));
            }
        }

        config.Add(new IniBlock("sso-session aws-sso", string.Empty, $"[sso-session aws-sso]\nsso_start_url = {StartUrl}\nsso_region = us-east-1\n"));
        CredentialsFile = new IniBlocks(credentials);
        ConfigFile = new IniBlocks(config);
    }

    public IReadOnlyList<string> Identities { get; }

    public IniBlocks CredentialsFile { get; }

    public IniBlocks ConfigFile { get; }

    /// <summary>The AWS CLI cache file of the provider's start URL.</summary>
    public static string CacheFile => AwsTree.CacheFile(StartUrl);

    /// <summary>atmos.yaml with the provider and every identity.</summary>
    public string AtmosYaml()
    {
        var yaml = new StringBuilder($"auth:\n  providers:\n    {Provider}:\n      kind: aws/iam-identity-center\n      region: us-east-1\n      start_url: {StartUrl}\n  identities:\n");
        foreach (var (name, index) in Identities.Select((n, i) => (n, i)))
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    {name}:\n      kind: aws/permission-set\n      via: {{ provider: {Provider} }}\n      principal: {{ name: Role{index}, account: {{ name: account-{index} }} }}\n");
        }

        return yaml.ToString();
    }

    /// <summary>Writes the config, both files (mode 0600) and the SSO token; returns the config path.</summary>
    public string Seed(TempHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        var config = home.Write("project/atmos.yaml", AtmosYaml());
        WritePrivate(home.PathOf($"{Folder}/credentials"), CredentialsFile.Original);
        WritePrivate(home.PathOf($"{Folder}/config"), ConfigFile.Original);
        home.Write(CacheFile, $$"""{"startUrl": "{{StartUrl}}", "region": "us-east-1", "accessToken": "load-token", "expiresAt": "2030-01-01T00:00:00Z"}""");
        return config;
    }

    /// <summary>The files expected after logging out <paramref name="identities"/>: (credentials, config).</summary>
    public (byte[] Credentials, byte[] Config) Expected(IEnumerable<string> identities)
    {
        var names = identities.ToList();
        return (CredentialsFile.Without(names), ConfigFile.Without(names.Select(n => $"profile {n}").ToList()));
    }

    public static void WritePrivate(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
