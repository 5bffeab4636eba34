using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.RealAtmos;

/// <summary>
/// Every real <c>atmos.yaml</c> with an <c>auth:</c> section from atmos's own examples, demos and test fixtures
/// (Fixtures/AtmosConfigs, copied unchanged) logs out — exit 0 or 1 — or is refused only for a reason real atmos refuses
/// it too. With a session entry seeded under atmos's current key (<c>atmos_&lt;lower-case name&gt;</c>) for every
/// provider and identity, <c>--all</c> removes every one of them whose kind a plugin owns and whose entry is not broken;
/// <c>auth status</c> answers for each.
/// </summary>
public sealed class AtmosConfigTests : IDisposable
{
    private static readonly string Folder = Path.Join(RepoPaths.Root, "tests", "Atmos.Plugins.Tests", "Fixtures", "AtmosConfigs");

    // Configs real atmos refuses as well, and the words of our refusal.
    private static readonly Dictionary<string, string> RefusedByAtmosToo = new(StringComparer.Ordinal)
    {
        ["tests_fixtures_scenarios_invalid-config-yaml"] = "invalid YAML",
    };

    private const string Session = """{"type":"aws","data":{"access_key_id":"ASIAEXAMPLE","secret_access_key":"SECRET-key","session_token":"SECRET-token","expiration":"2030-01-01T00:00:00Z"}}""";

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Fact]
    public void Every_real_config_with_an_auth_section_is_here()
    {
        // 45 of atmos's atmos.yaml files at 0a1cb44 have an auth: section; one more is atmos's own invalid-YAML fixture.
        Assert.Equal(46, Directory.EnumerateFiles(Folder, "*.yaml").Count());
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Logs_out_or_is_refused_only_where_atmos_refuses_too(string name)
    {
        var text = await File.ReadAllTextAsync(Path.Join(Folder, name + ".yaml"));
        var config = _home.Write("project/atmos.yaml", text);
        var parsed = AuthConfigLoader.Parse(text, "atmos.yaml");
        var cli = new CliRun(_home);
        var names = parsed.Providers.Select(p => p.Name).Concat(parsed.Identities.Select(i => i.Name)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var principal in names)
        {
            await cli.Keyring.SetAsync("atmos_" + principal.ToLowerInvariant(), Session, CancellationToken.None);
        }

        var result = await cli.RunAsync("auth", "logout", "--all", "--config", config);

        if (RefusedByAtmosToo.TryGetValue(name, out var reason))
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
            return;
        }

        Assert.True(result.ExitCode is 0 or 1, $"{name}: exit {result.ExitCode}\n{result.Stderr}");
        Assert.DoesNotContain("Error:", result.Stderr, StringComparison.Ordinal);

        // What is kept: the entries of kinds no plugin owns (unclassifiable) and of entries whose configuration is broken
        // (a validation error, or a YAML function failing in their settings: atmos's floci fixtures' unset !env).
        var catalog = Catalogs.MetadataOnly();
        var kept = parsed.Providers.Where(p => catalog.Resolve(p.Kind).IsUnknown).Select(p => p.Name)
            .Concat(parsed.Identities.Where(i => catalog.Resolve(i.Kind).IsUnknown).Select(i => i.Name))
            .Concat(ConfigValidation.Validate(parsed, catalog, _home.Home).Concat(parsed.Problems).Where(p => p.Severity == ProblemSeverity.Error).SelectMany(p => p.Principals))
            .Select(n => "atmos_" + n.ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        var left = await cli.Keyring.ListAsync(CancellationToken.None);
        Assert.Equal(kept.Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));

        var status = await cli.RunAsync("auth", "status", "--config", config);
        Assert.True(status.ExitCode is 0 or 1, $"{name}: auth status exit {status.ExitCode}\n{status.Stderr}");
    }
}
