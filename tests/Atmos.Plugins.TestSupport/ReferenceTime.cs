namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// The reference doc's audit-trail instant. Tests that snapshot audit lines, debug lines or JSON reports run on a
/// <c>FakeTimeProvider</c> standing there, so their output reads exactly like the reference
/// (<c>2025-10-17T10:15:30Z DEBUG Starting logout identity=dev-admin</c>).
/// </summary>
public static class ReferenceTime
{
    /// <summary>2025-10-17T10:15:30Z.</summary>
    public static readonly DateTimeOffset Instant = new(2025, 10, 17, 10, 15, 30, TimeSpan.Zero);
}
