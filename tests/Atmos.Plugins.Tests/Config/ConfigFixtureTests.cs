using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Tests.Config;

/// <summary>
/// One folder of <c>tests/ConfigFixtures</c> per rule of how atmos finds, merges and evaluates its configuration (and
/// folders copied from atmos's own examples and test fixtures). Each is copied to a temp folder and loaded from every
/// folder its <c>expect.yaml</c> names; the files read, the providers, identities, tags, base paths, realm and problems
/// must be what real atmos would read. The format is in <c>tests/ConfigFixtures/README.md</c>.
/// </summary>
public sealed class ConfigFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(FixtureRoot).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    private static string FixtureRoot => Path.Join(RepoPaths.Root, "tests", "ConfigFixtures");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_reads_what_atmos_reads(string name)
    {
        var source = Path.Join(FixtureRoot, name);
        var expect = Load(Path.Join(source, "expect.yaml"));
        using var temp = new TempHome();
        var root = Path.Join(temp.Root, "repo");
        Copy(source, root, skip: ["expect.yaml", "_home", "_system"]);
        if (Directory.Exists(Path.Join(source, "_home")))
        {
            Copy(Path.Join(source, "_home"), temp.Home, skip: []);
        }

        var system = Path.Join(temp.Root, "system");
        if (Directory.Exists(Path.Join(source, "_system")))
        {
            Copy(Path.Join(source, "_system"), system, skip: []);
        }

        if (Scalar(expect, "git") == "true")
        {
            Directory.CreateDirectory(Path.Join(root, ".git"));
            File.WriteAllText(Path.Join(root, ".git", "HEAD"), "ref: refs/heads/main\n");
        }

        string Expand(string text) => text.Replace("<root>", root, StringComparison.Ordinal).Replace("<home>", temp.Home, StringComparison.Ordinal).Replace("<system>", system, StringComparison.Ordinal);

        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = temp.Home };
        if (Child(expect, "environment") is YamlMappingNode variables)
        {
            foreach (var (key, value) in variables.Children)
            {
                environment[((YamlScalarNode)key).Value!] = Expand(((YamlScalarNode)value).Value ?? string.Empty);
            }
        }

        var folders = Strings(expect, "run_from");
        Assert.NotEmpty(folders);
        foreach (var folder in folders)
        {
            var request = new ConfigRequest
            {
                Environment = environment,
                WorkingDirectory = Path.GetFullPath(Path.Join(root, folder)),
                Home = temp.Home,
                SystemFolder = system,
                // As the command line gives them: each flag repeatable and comma-separated.
                ConfigFiles = Strings(Child(expect, "arguments"), "config").SelectMany(ConfigDiscovery.Split).Select(Expand).ToList(),
                ConfigPaths = Strings(Child(expect, "arguments"), "config_path").SelectMany(ConfigDiscovery.Split).Select(Expand).ToList(),
                Profiles = Strings(Child(expect, "arguments"), "profile").SelectMany(ConfigDiscovery.Split).ToList(),
            };
            var merged = ConfigLoader.Merge(request);
            var config = AuthConfigLoader.Read(merged.Root, merged.Locations, merged.Failed, merged.Problems) with { Files = merged.Files };
            var where = $"{name}, run from {folder}";

            Assert.True(
                Strings(expect, "files").Select(Expand).SequenceEqual(config.Files),
                $"{where}: files read\n  expected: {string.Join(", ", Strings(expect, "files"))}\n  actual:   {string.Join(", ", config.Files.Select(f => Relative(f, root, temp.Home, system)))}");
            Assert.Equal(Entries(Child(expect, "providers"), Expand), config.Providers.ToDictionary(p => p.Name, p => Describe(p.Kind, p.BasePath, null, null, ConfigTags.Of(p.Settings))));
            Assert.Equal(Entries(Child(expect, "identities"), Expand), config.Identities.ToDictionary(i => i.Name, i => Describe(i.Kind, null, i.ViaProvider, i.ViaIdentity, ConfigTags.Of(i.Settings))));
            var realm = ConfigMerge.Child(ConfigMerge.Child(merged.Root, "auth"), "realm") is YamlScalarNode { Value: { } r } ? r : null;
            Assert.Equal(Scalar(expect, "realm"), realm);
            var problems = config.Problems.Select(p => p.ToString().Replace(root, "<root>", StringComparison.Ordinal).Replace(temp.Home, "<home>", StringComparison.Ordinal).Replace(system, "<system>", StringComparison.Ordinal)).ToList();
            var expected = Strings(expect, "problems");
            Assert.True(
                expected.Count == problems.Count && expected.Zip(problems).All(pair => pair.Second.Contains(pair.First, StringComparison.Ordinal)),
                $"{where}: problems\n  expected (substrings): {string.Join("\n    ", expected)}\n  actual: {string.Join("\n    ", problems)}");
        }
    }

    [Fact]
    public void Every_fixture_has_a_description_and_an_expectation()
    {
        foreach (var folder in Directory.EnumerateDirectories(FixtureRoot))
        {
            var expect = Load(Path.Join(folder, "expect.yaml"));
            Assert.False(string.IsNullOrWhiteSpace(Scalar(expect, "description")), $"{folder}: no description");
            Assert.NotEmpty(Strings(expect, "files"));
        }
    }

    // "kind | base_path | via | tags": one comparable line per entry.
    private static string Describe(string kind, string? basePath, string? viaProvider, string? viaIdentity, IReadOnlyList<string> tags) =>
        $"kind={kind}" + (basePath is null ? string.Empty : $" base_path={basePath}")
        + (viaProvider is null ? string.Empty : $" via.provider={viaProvider}")
        + (viaIdentity is null ? string.Empty : $" via.identity={viaIdentity}")
        + (tags.Count == 0 ? string.Empty : $" tags={string.Join(",", tags)}");

    private static Dictionary<string, string> Entries(YamlNode? node, Func<string, string> expand)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var fields = (YamlMappingNode)value;
            var tags = Child(fields, "tags") is YamlSequenceNode list ? list.Children.Select(t => ((YamlScalarNode)t).Value!).ToList() : [];
            result[((YamlScalarNode)key).Value!] = Describe(
                Scalar(fields, "kind")!,
                Scalar(fields, "base_path") is { } basePath ? expand(basePath) : null,
                Scalar(fields, "via_provider"),
                Scalar(fields, "via_identity"),
                tags);
        }

        return result;
    }

    private static string Relative(string path, string root, string home, string system) =>
        path.StartsWith(root + "/", StringComparison.Ordinal) ? "<root>/" + path[(root.Length + 1)..]
        : path.StartsWith(home + "/", StringComparison.Ordinal) ? "<home>/" + path[(home.Length + 1)..]
        : path.StartsWith(system + "/", StringComparison.Ordinal) ? "<system>/" + path[(system.Length + 1)..]
        : path;

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node, string key) => Child(node, key) is YamlScalarNode { Value: { } value } ? value : null;

    private static List<string> Strings(YamlNode? node, string key) =>
        Child(node, key) is YamlSequenceNode list ? list.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList() : [];

    private static void Copy(string from, string to, string[] skip)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var name = Path.GetFileName(entry);
            if (skip.Contains(name))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                Copy(entry, Path.Join(to, name), []);
            }
            else
            {
                File.Copy(entry, Path.Join(to, name));
            }
        }
    }
}
