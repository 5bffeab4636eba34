using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts;

namespace Acme.AtmosPlugin.Tests;

/// <summary>
/// What atmos relies on, tested without atmos (docs/writing-a-plugin.md, "Testing a plugin"): planning changes nothing,
/// steps name absolute paths inside the base folder, an identity logout keeps everything else in its file, a second
/// execution finds nothing, a malformed file is reported and left as it was, and no secret comes out.
/// </summary>
public sealed class AcmePluginTests : IDisposable
{
    private const string Secret = "SECRET-acme-key";
    private readonly string _home = Directory.CreateTempSubdirectory("acme-plugin-test-").FullName;
    private readonly List<string> _logged = [];
    private readonly PluginEnvironment _environment;
    private readonly ProviderTarget _provider;
    private readonly IdentityTarget _dev;
    private readonly IdentityTarget _ops;
    private readonly AcmePlugin _plugin = new();

    public AcmePluginTests()
    {
        var baseFolder = Path.Join(_home, ".config", "atmos", "acme");
        _environment = new PluginEnvironment(_home, baseFolder, Path.Join(_home, ".cache"), Path.Join(_home, ".local", "share"),
            TimeSpan.FromSeconds(5), TimeProvider.System, new Dictionary<string, string>())
        {
            Log = new PluginLog((level, message) => _logged.Add($"{level}: {message}")),
        };
        _provider = new ProviderTarget("acme-sso", AcmeKinds.Sso, baseFolder, Path.Join(baseFolder, "acme-sso"), UsesDefaultBase: true,
            new Settings(new Dictionary<string, object?> { ["tenant"] = "example" }));
        _dev = Identity("acme-dev", "developer");
        _ops = Identity("acme-ops", "operator");
        Write("session.json", """{ "access_token": "SECRET-acme-session" }""");
        Write("roles.json", $$"""{ "roles": { "acme-dev": { "key": "{{Secret}}" }, "acme-ops": { "key": "k2" } }, "format": 2 }""");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Planning_and_inspecting_change_nothing()
    {
        var before = Fingerprint();

        Assert.NotEmpty(_plugin.Plan(Request(LogoutScope.Identity, [], [_dev])));
        Assert.NotEmpty(_plugin.Plan(Request(LogoutScope.Provider, [_provider], [_dev, _ops])));
        Assert.NotEmpty(_plugin.Inspect(Request(LogoutScope.All, [_provider], [_dev, _ops])));

        Assert.Equal(before, Fingerprint());
        Assert.Contains(_logged, line => line.StartsWith("Debug: planned 1 steps", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_step_names_only_absolute_paths_inside_the_base_folder()
    {
        var steps = _plugin.Plan(Request(LogoutScope.All, [_provider], [_dev, _ops]))
            .Concat(_plugin.Plan(Request(LogoutScope.Identity, [], [_dev])));

        Assert.All(steps.SelectMany(s => s.Paths.Prepend(s.Target)), path =>
        {
            Assert.True(Path.IsPathFullyQualified(path), path);
            Assert.StartsWith(_provider.BaseFolder + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void An_identity_logout_removes_its_role_keeps_the_rest_and_a_second_run_finds_nothing()
    {
        var step = Assert.Single(_plugin.Plan(Request(LogoutScope.Identity, [], [_dev])));

        var first = _plugin.Execute(step, _environment, CancellationToken.None);
        var second = _plugin.Execute(step, _environment, CancellationToken.None);

        Assert.Equal(StepStatus.Removed, first.Status);
        Assert.Equal(StepStatus.NotFound, second.Status);
        Assert.Equal("""{"roles":{"acme-ops":{"key":"k2"}},"format":2}""", File.ReadAllText(Path.Join(_provider.Folder, "roles.json")).TrimEnd());
        Assert.True(File.Exists(Path.Join(_provider.Folder, "session.json")));
    }

    [Fact]
    public void A_malformed_file_fails_its_step_and_is_left_byte_for_byte()
    {
        var roles = Write("roles.json", "{ this is not json");
        var step = Assert.Single(_plugin.Plan(Request(LogoutScope.Identity, [], [_dev])));

        var result = _plugin.Execute(step, _environment, CancellationToken.None);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("{ this is not json", File.ReadAllText(roles));
    }

    [Fact]
    public void No_secret_appears_in_a_step_a_result_or_a_listed_file()
    {
        var steps = _plugin.Plan(Request(LogoutScope.All, [_provider], [_dev, _ops]));
        var listed = _plugin.Inspect(Request(LogoutScope.All, [_provider], [_dev, _ops]));
        var results = steps.Select(s => _plugin.Execute(s, _environment, CancellationToken.None)).ToList();

        var printed = JsonSerializer.Serialize(new { steps, listed, results, _logged });
        Assert.DoesNotContain("SECRET", printed, StringComparison.Ordinal);
    }

    private IdentityTarget Identity(string name, string role) =>
        new(name, AcmeKinds.Role, [_provider.Name, name], _provider, new Settings(new Dictionary<string, object?>
        {
            ["principal"] = new Settings(new Dictionary<string, object?> { ["role"] = role }),
        }));

    private PlanRequest Request(LogoutScope scope, IReadOnlyList<ProviderTarget> providers, IReadOnlyList<IdentityTarget> identities) =>
        new(scope, providers, identities, _environment);

    private string Write(string name, string content)
    {
        Directory.CreateDirectory(_provider.Folder);
        var path = Path.Join(_provider.Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFileSystemEntries(_home, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(file).Append('|').Append(File.Exists(file) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))) : "folder").Append('\n');
        }

        return text.ToString();
    }
}
