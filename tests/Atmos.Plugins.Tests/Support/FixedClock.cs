namespace Atmos.Plugins.Tests.Support;

/// <summary>A clock that always says the same instant, so audit lines and JSON reports can be snapshot.</summary>
public sealed class FixedClock : TimeProvider
{
    /// <summary>The reference doc's audit-trail instant.</summary>
    public static readonly DateTimeOffset ReferenceInstant = new(2025, 10, 17, 10, 15, 30, TimeSpan.Zero);

    private readonly DateTimeOffset _now;

    public FixedClock(DateTimeOffset? now = null) => _now = now ?? ReferenceInstant;

    public override DateTimeOffset GetUtcNow() => _now;
}
