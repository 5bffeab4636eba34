using System.Collections;
using Atmos.Plugins.Host.Cli;

namespace Atmos.Plugins.Tests.Cli;

/// <summary>The real process's variables, looked up one by one: the same answers as a full copy of the environment.</summary>
public sealed class ProcessVariablesTests
{
    [Fact]
    public void Lookups_and_the_listing_agree_with_the_process_environment()
    {
        var variables = HostEnvironment.FromProcess().Variables;
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            expected[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        Assert.NotEmpty(expected);
        foreach (var (name, value) in expected)
        {
            Assert.True(variables.TryGetValue(name, out var found), name);
            Assert.Equal(value, found);
            Assert.Equal(value, variables[name]);
        }

        Assert.Equal(expected.Count, variables.Count);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), variables.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ATMOS_TEST_SURELY_UNSET_8d1f")]
    [InlineData("")]
    [InlineData("A=B")]
    public void A_name_that_is_not_set_or_cannot_be_is_absent(string name)
    {
        var variables = HostEnvironment.FromProcess().Variables;

        Assert.False(variables.TryGetValue(name, out _));
        Assert.False(variables.ContainsKey(name));
        Assert.Throws<KeyNotFoundException>(() => variables[name]);
    }
}
