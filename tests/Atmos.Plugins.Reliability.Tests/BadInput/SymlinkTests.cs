using Atmos.Plugins.Reliability.Tests.Support;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.BadInput;

/// <summary>
/// Symbolic links inside the base folder are never followed out of it: whatever the link and whatever the scope of the
/// logout, the folder outside is byte for byte as it was. Links are unlinked when their folder goes, refused otherwise.
/// </summary>
public sealed class SymlinkTests : IDisposable
{
    private readonly SeededTree _tree = new();
    private readonly string _outside;

    public SymlinkTests()
    {
        // Outside HOME altogether: a copy of the provider folder and of the SSO token, which links will point at.
        _outside = Path.Join(_tree.Home.Root, "outside");
        Directory.CreateDirectory(Path.Join(_outside, "aws-sso", "nested"));
        File.WriteAllText(Path.Join(_outside, "aws-sso", "credentials"), AwsTree.SsoCredentials + "\n");
        File.WriteAllText(Path.Join(_outside, "aws-sso", "config"), AwsTree.SsoConfig + "\n");
        File.WriteAllText(Path.Join(_outside, "aws-sso", "nested", "keep"), "keep me");
        File.WriteAllText(Path.Join(_outside, "token.json"), File.ReadAllText(_tree.Home.PathOf(AwsTree.CacheFile(AwsTree.StartUrl))));
    }

    public void Dispose() => _tree.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var link in new[] { "credentials file", "provider folder", "folder inside the provider folder", "config file and a folder inside", "SSO token file" })
        {
            foreach (var scope in new[] { "identity", "provider", "all" })
            {
                cases.Add(link, scope);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_link_is_never_followed_out_of_the_base_folder(string link, string scope)
    {
        var sso = _tree.Home.PathOf(AwsTree.SsoFolder);
        var linkPaths = new List<string>();
        switch (link)
        {
            case "credentials file":
                File.Delete(Path.Join(sso, "credentials"));
                linkPaths.Add(Link(Path.Join(sso, "credentials"), Path.Join(_outside, "aws-sso", "credentials")));
                break;
            case "provider folder":
                Directory.Delete(sso, recursive: true);
                linkPaths.Add(Link(sso, Path.Join(_outside, "aws-sso")));
                break;
            case "folder inside the provider folder":
                linkPaths.Add(Link(Path.Join(sso, "extra"), Path.Join(_outside, "aws-sso")));
                break;
            case "config file and a folder inside":
                File.Delete(Path.Join(sso, "config"));
                linkPaths.Add(Link(Path.Join(sso, "config"), Path.Join(_outside, "aws-sso", "config")));
                linkPaths.Add(Link(Path.Join(sso, "nested"), Path.Join(_outside, "aws-sso", "nested")));
                break;
            default:
                var token = _tree.Home.PathOf(AwsTree.CacheFile(AwsTree.StartUrl));
                File.Delete(token);
                linkPaths.Add(Link(token, Path.Join(_outside, "token.json")));
                break;
        }

        var outsideBefore = TempHome.Fingerprint(_outside);
        string[] target = scope switch { "identity" => ["dev-admin"], "provider" => ["--provider", "aws-sso"], _ => ["--all"] };

        var result = await _tree.Cli.RunBounded(["auth", "logout", .. target, "--config", _tree.Config]);

        Assert.Equal(outsideBefore, TempHome.Fingerprint(_outside));
        CliChecks.AssertCleanOutcome(result, $"{link}, {scope}");
        var refused = scope == "identity" && link is "credentials file" or "provider folder" or "config file and a folder inside";
        if (refused)
        {
            // An identity logout edits files: it refuses to write through a link and says so; the link stays.
            Assert.All(linkPaths, p => Assert.NotNull(new FileInfo(p).LinkTarget));
            Assert.Contains(result.Lines, l => l.StartsWith("✗ Files: ~/.config/atmos/aws/aws-sso/", StringComparison.Ordinal));
            Assert.Contains(result.Lines, l => l.Contains("symbolic link", StringComparison.Ordinal));
            Assert.Equal(0, result.ExitCode);
            Assert.Contains(result.Lines, l => l.StartsWith("Logged out with warnings (", StringComparison.Ordinal));
        }
        else if (link == "provider folder")
        {
            // The provider folder itself was a link: the link goes, and the report says its target still holds what it
            // holds (issue 17: honest outcomes).
            Assert.Equal(0, result.ExitCode);
            Assert.All(linkPaths, p => Assert.False(Path.Exists(p) || new FileInfo(p).LinkTarget is not null));
            Assert.Contains(result.Lines, l => l.StartsWith("✗ Files: ~/.config/atmos/aws/aws-sso/ (link removed, target kept)", StringComparison.Ordinal));
            Assert.Contains(result.Lines, l => l.StartsWith("Logged out with warnings (", StringComparison.Ordinal));
        }
        else
        {
            // A folder that goes takes its links with it (unlinked, not followed); the SSO token link is unlinked.
            Assert.Equal(0, result.ExitCode);
            var unlinked = scope != "identity" || link == "SSO token file";
            Assert.All(linkPaths, p => Assert.Equal(!unlinked, Path.Exists(p) || new FileInfo(p).LinkTarget is not null));
            Assert.DoesNotContain(result.Lines, l => l.StartsWith('✗') && !l.Contains("not found", StringComparison.Ordinal));
        }
    }

    private static string Link(string path, string target)
    {
        if (Directory.Exists(target))
        {
            Directory.CreateSymbolicLink(path, target);
        }
        else
        {
            File.CreateSymbolicLink(path, target);
        }

        return path;
    }
}
