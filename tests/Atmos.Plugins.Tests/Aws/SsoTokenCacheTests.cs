using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>The AWS plugin's SSO token step: one per cache folder, every file re-checked against its own provider.</summary>
public sealed class SsoTokenCacheTests : IDisposable
{
    private const string UrlA = "https://org-a.awsapps.com/start";
    private const string UrlB = "https://org-b.awsapps.com/start";
    private const string Broken = "https://org-c.awsapps.com/\nstart";
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Providers_sharing_the_cache_get_one_step_and_each_file_is_rechecked_against_its_own_start_url()
    {
        _home.Write(AwsTree.CacheFile(UrlA), $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a\"}}");
        _home.Write(AwsTree.CacheFile(UrlB), $"{{\"startUrl\": \"{UrlB}\", \"accessToken\": \"SECRET-b\"}}");
        _home.Write(AwsTree.CacheFile(Broken), "{\"startUrl\": \"https://org-c.awsapps.com/\\nstart\"}"); // no URL: never ours
        var plugin = new AwsPlugin();
        var environment = Environment();
        var request = new PlanRequest(LogoutScope.All, [Provider("a", UrlA), Provider("b", UrlB), Provider("broken", Broken)], [], environment);

        var step = Assert.Single(plugin.Plan(request));
        // Between planning and removal another tool reuses b's file for another organisation: it is no longer ours.
        _home.Write(AwsTree.CacheFile(UrlB), "{\"startUrl\": \"https://elsewhere.awsapps.com/start\", \"accessToken\": \"SECRET-other\"}");
        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal("clear-sso-cache", step.Action);
        Assert.Equal(["a", "b"], step.Principals);
        Assert.Equal([_home.PathOf(AwsTree.CacheFile(UrlA)), _home.PathOf(AwsTree.CacheFile(UrlB))], step.Paths);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.False(_home.Exists(AwsTree.CacheFile(UrlA)));
        Assert.Contains("elsewhere", _home.Read(AwsTree.CacheFile(UrlB)), StringComparison.Ordinal);
        Assert.True(_home.Exists(AwsTree.CacheFile(Broken)));
    }

    [Fact]
    public void A_step_whose_files_are_all_gone_is_not_found_naming_the_start_urls()
    {
        _home.Write(AwsTree.CacheFile(UrlA), $"{{\"startUrl\": \"{UrlA}\"}}");
        _home.Write(AwsTree.CacheFile(UrlB), $"{{\"startUrl\": \"{UrlB}\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();
        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA), Provider("b", UrlB)], [], environment)));
        File.Delete(_home.PathOf(AwsTree.CacheFile(UrlA)));
        File.Delete(_home.PathOf(AwsTree.CacheFile(UrlB)));

        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(StepStatus.NotFound, result.Status);
        Assert.Equal($"no SSO token for {UrlA}, {UrlB} in ~/.aws/sso/cache", result.Detail);
    }

    [Fact]
    public void Many_providers_are_planned_and_removed_in_parallel_with_the_same_checks_and_order()
    {
        var urls = Enumerable.Range(0, 100).Select(i => $"https://org{i:D3}.awsapps.com/start").ToList();
        foreach (var url in urls)
        {
            _home.Write(AwsTree.CacheFile(url), $"{{\"startUrl\": \"{url}\"}}");
        }

        var plugin = new AwsPlugin();
        var environment = Environment();
        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, urls.Select((u, i) => Provider($"p{i:D3}", u)).ToList(), [], environment)));
        for (var i = 1; i < urls.Count; i += 2)
        {
            // Half of the files change hands between planning and removal.
            _home.Write(AwsTree.CacheFile(urls[i]), "{\"startUrl\": \"https://elsewhere.awsapps.com/start\"}");
        }

        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(urls.Select((_, i) => $"p{i:D3}"), step.Principals);
        Assert.Equal(urls.Select(u => _home.PathOf(AwsTree.CacheFile(u))), step.Paths);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal(urls.Select((_, i) => i % 2 == 1), urls.Select(u => _home.Exists(AwsTree.CacheFile(u))));
    }

    [Fact]
    public void A_token_reached_through_a_symbolic_link_is_removed_as_the_link_and_the_file_it_points_at_stays()
    {
        var target = _home.Write("elsewhere/token.json", $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a\"}}");
        Directory.CreateDirectory(_home.PathOf(".aws/sso/cache"));
        File.CreateSymbolicLink(_home.PathOf(AwsTree.CacheFile(UrlA)), target);
        _home.Write(AwsTree.CacheFile(UrlB), $"{{\"startUrl\": \"{UrlB}\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();
        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA), Provider("b", UrlB)], [], environment)));
        // Between planning and removal b's file is swapped for a link to a file that is not a token at all.
        File.Delete(_home.PathOf(AwsTree.CacheFile(UrlB)));
        var other = _home.Write("elsewhere/notes.txt", "not a token");
        File.CreateSymbolicLink(_home.PathOf(AwsTree.CacheFile(UrlB)), other);

        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.Equal([_home.PathOf(AwsTree.CacheFile(UrlA)), _home.PathOf(AwsTree.CacheFile(UrlB))], step.Paths);
        Assert.False(File.Exists(_home.PathOf(AwsTree.CacheFile(UrlA))) || new FileInfo(_home.PathOf(AwsTree.CacheFile(UrlA))).LinkTarget is not null);
        Assert.False(File.Exists(_home.PathOf(AwsTree.CacheFile(UrlB))) || new FileInfo(_home.PathOf(AwsTree.CacheFile(UrlB))).LinkTarget is not null);
        Assert.Contains("SECRET-a", File.ReadAllText(target), StringComparison.Ordinal);
        Assert.Equal("not a token", File.ReadAllText(other));
    }

    [Fact]
    public void A_file_named_after_the_provider_is_planned_only_when_it_names_the_providers_start_url()
    {
        _home.Write(AwsTree.CacheFile("a"), $"{{\"startUrl\": \"{UrlA}/\", \"accessToken\": \"SECRET-a\"}}");
        _home.Write(AwsTree.CacheFile("b"), "{\"startUrl\": \"https://another-org.awsapps.com/start\"}");
        _home.Write(AwsTree.CacheFile("unrelated"), $"{{\"startUrl\": \"{UrlA}\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();

        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA), Provider("b", UrlB)], [], environment)));

        Assert.Equal(["a"], step.Principals);
        Assert.Equal([_home.PathOf(AwsTree.CacheFile("a"))], step.Paths);
    }

    [Fact]
    public void A_file_rewritten_after_planning_with_the_same_size_is_read_again_and_kept_when_it_names_another_start_url()
    {
        var path = _home.Write(AwsTree.CacheFile(UrlA), $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();
        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA)], [], environment)));
        var planned = File.GetLastWriteTimeUtc(path);
        // Same length, another organisation, written later.
        var other = UrlA.Replace("org-a", "org-z", StringComparison.Ordinal);
        File.WriteAllText(path, $"{{\"startUrl\": \"{other}\", \"accessToken\": \"SECRET-z\"}}");
        File.SetLastWriteTimeUtc(path, planned.AddSeconds(1));

        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(StepStatus.NotFound, result.Status);
        Assert.Contains("org-z", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_refreshed_after_planning_is_read_again_and_removed_when_it_still_names_the_start_url()
    {
        var path = _home.Write(AwsTree.CacheFile(UrlA), $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();
        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA)], [], environment)));
        File.WriteAllText(path, $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a-refreshed-and-longer\"}}");

        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_file_with_the_size_and_time_planning_saw_is_taken_as_the_file_it_checked_without_reading_it_again()
    {
        // What makes the re-check one lstat: a file whose size and modification time are those planning read (the stamps
        // the step carries) is not read again. Only a rewrite to the same size within the same timestamp could pass
        // unseen (kernels since 6.13 give a write that follows a stat a fine-grained time, so even that shows); here the
        // time is forced back.
        var path = _home.Write(AwsTree.CacheFile(UrlA), $"{{\"startUrl\": \"{UrlA}\", \"accessToken\": \"SECRET-a\"}}");
        var other = $"{{\"startUrl\": \"{UrlA.Replace("org-a", "org-z", StringComparison.Ordinal)}\", \"accessToken\": \"SECRET-z\"}}";
        var environment = Environment();
        var step = Assert.Single(new AwsPlugin().Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA)], [], environment)));
        var planned = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, other);
        File.SetLastWriteTimeUtc(path, planned);

        // A step without stamps (a plan made before they were recorded) reads the file, and keeps it.
        var unstamped = step with { Arguments = step.Arguments.Where(a => a.Key != SsoTokenCache.StampsArgument).ToDictionary() };
        Assert.Equal(StepStatus.NotFound, new AwsPlugin().Execute(unstamped, environment, CancellationToken.None).Status);
        Assert.Equal(other, File.ReadAllText(path));

        // The plan is data: any plugin instance, not only the one that planned, trusts the stamp the step carries.
        File.SetLastWriteTimeUtc(path, planned);
        Assert.Equal(StepStatus.Removed, new AwsPlugin().Execute(step, environment, CancellationToken.None).Status);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_file_the_aws_cli_named_after_the_start_url_with_a_trailing_slash_is_removed_when_atmos_yaml_has_none()
    {
        // ~/.aws/config said "https://org-a.awsapps.com/start/"; atmos.yaml says the same URL without the slash.
        _home.Write(AwsTree.CacheFile(UrlA + "/"), $"{{\"startUrl\": \"{UrlA}/\", \"accessToken\": \"SECRET-a\"}}");
        var plugin = new AwsPlugin();
        var environment = Environment();

        var step = Assert.Single(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA)], [], environment)));
        var result = plugin.Execute(step, environment, CancellationToken.None);

        Assert.Equal([_home.PathOf(AwsTree.CacheFile(UrlA + "/"))], step.Paths);
        Assert.Equal(StepStatus.Removed, result.Status);
        Assert.False(_home.Exists(AwsTree.CacheFile(UrlA + "/")));
    }

    [Fact]
    public void Without_a_cache_folder_there_is_no_step()
    {
        var plugin = new AwsPlugin();

        Assert.Empty(plugin.Plan(new PlanRequest(LogoutScope.All, [Provider("a", UrlA)], [], Environment())));
    }

    private PluginEnvironment Environment() =>
        new(_home.Home, _home.PathOf(".config/atmos/aws"), _home.PathOf(".cache"), _home.PathOf(".local/share"), TimeSpan.FromSeconds(5), TimeProvider.System, new Dictionary<string, string>());

    private ProviderTarget Provider(string name, string startUrl) =>
        new(name, "aws/iam-identity-center", _home.PathOf(".config/atmos/aws"), _home.PathOf($".config/atmos/aws/{name}"), true, new Settings(new Dictionary<string, object?> { ["start_url"] = startUrl }));
}
