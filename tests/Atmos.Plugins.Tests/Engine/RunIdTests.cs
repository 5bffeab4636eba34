using Atmos.Plugins.Engine.Execution;
using Microsoft.Extensions.Time.Testing;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>Run ids: a version-7 GUID in the "N" format, stamped with the run's clock.</summary>
public sealed class RunIdTests
{
    [Fact]
    public void A_run_id_is_the_N_format_of_a_version_7_guid_stamped_with_the_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 14, 15, 926, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 200).Select(_ => EventLog.NewRunId(clock)).ToList();

        Assert.All(ids, id =>
        {
            Assert.Matches("^[0-9a-f]{32}$", id);
            var guid = Guid.ParseExact(id, "N");
            Assert.Equal(id, guid.ToString("N"));
            Assert.Equal(7, guid.Version);
            // The first 48 bits are the Unix time in milliseconds.
            Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
        });
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
