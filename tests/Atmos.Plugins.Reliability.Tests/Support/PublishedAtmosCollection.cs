using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>The tests that run the published atmos share one (xunit takes collection definitions from the test assembly only).</summary>
[CollectionDefinition(Name)]
public sealed class PublishedAtmosCollection : ICollectionFixture<PublishedAtmos>
{
    public const string Name = "published atmos";
}
