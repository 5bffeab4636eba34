using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Published;

/// <summary>
/// Start-up work that ReadyToRun cannot precompile is compiled by the JIT at every run of a CLI that lives a tenth of a
/// second (docs/performance.md, "No LINQ over value types" and "No runtime-compiled formatting"). This is that rule as a
/// measurement instead of a comment: the runtime lists every method it JIT-compiles during a dry run of the published
/// atmos, and none may be ours, and the total may not grow past the budget unnoticed.
/// </summary>
[Collection(PublishedAtmosCollection.Name)]
public sealed class StartupJitTests : IDisposable
{
    // Measured on the realistic tree below: 119 methods on main at 2117aea, 128 after issue 21, 90 once the tuples were
    // taken off the run's path again (docs/performance.md, item 31). All BCL: vector paths (Guid and hex formatting,
    // SearchValues), reflection caches, Microsoft.Extensions.DependencyInjection's and Stateless's instantiations over
    // value types. Each costs ~0.1 ms at Tier0; the budget leaves room for a few more, not for a habit.
    private const int Budget = 95;

    private readonly PublishedAtmos _atmos;
    private readonly TempHome _home = new();

    public StartupJitTests(PublishedAtmos atmos) => _atmos = atmos;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_dry_run_JIT_compiles_none_of_our_methods_and_stays_within_the_budget()
    {
        var config = AwsTree.Seed(_home);
        var listing = Path.Join(_home.Root, "jit.txt");
        var environment = Processes.IsolatedEnvironment(_home);
        environment["ATMOS_KEYRING_TYPE"] = "memory";
        environment["DOTNET_JitStdOutFile"] = listing;
        environment["DOTNET_JitDisasmSummary"] = "1";

        var result = Processes.Run(_atmos.Executable, ["auth", "logout", "--all", "--dry-run", "--config", config], environment, _home.Root);

        Assert.Equal(0, result.ExitCode);
        // "   1: JIT compiled System.Threading.Thread:GetThreadStaticsBase() [Tier0, IL size=18, code size=24]"
        var compiled = File.ReadAllLines(listing)
            .Select(line => line.Split("JIT compiled ", 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => parts[1])
            .ToList();
        Assert.NotEmpty(compiled);
        Assert.DoesNotContain(compiled, method => method.StartsWith("Atmos.", StringComparison.Ordinal));
        Assert.True(compiled.Count <= Budget, $"{compiled.Count} methods JIT-compiled during a dry run (budget {Budget}):\n{string.Join('\n', compiled)}");
    }
}
