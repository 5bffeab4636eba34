using System.Globalization;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>
/// Trial counts and randomness for the reliability tests. CI runs the base counts; set
/// <c>ATMOS_RELIABILITY_SCALE=10</c> (or more) to multiply every count for a long local run, and
/// <c>ATMOS_RELIABILITY_SEED=n</c> to replay a run (every test prints the seed it used).
/// </summary>
public static class Trials
{
    /// <summary>The multiplier from <c>ATMOS_RELIABILITY_SCALE</c> (default 1).</summary>
    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("ATMOS_RELIABILITY_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    /// <summary>A base count multiplied by <see cref="Scale"/>.</summary>
    /// <param name="baseCount">The count CI runs.</param>
    public static int Count(int baseCount) => checked(baseCount * Scale);

    /// <summary>A seeded random source; the seed is <c>ATMOS_RELIABILITY_SEED</c> or fresh, and is written to <paramref name="log"/>.</summary>
    /// <param name="log">Where to print the seed (the test's output).</param>
    public static Random Random(Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATMOS_RELIABILITY_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var given)
            ? given
            : System.Random.Shared.Next();
        log($"seed {seed} (replay with ATMOS_RELIABILITY_SEED={seed})");
        return new Random(seed);
    }
}
