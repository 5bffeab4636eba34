using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>The behaviour every backend shares, checked the same way against each (GCM's store diagnostic, as a test).</summary>
internal static class KeyringConformance
{
    private const string First = """{"type":"aws","data":{"token":"ä \" \\ 🔑"}}""";
    private const string Second = """{"type":"aws","data":{"token":"replaced"}}""";

    /// <summary>Set, read, list, replace, remove, remove again; the entry is removed even when a check fails.</summary>
    /// <param name="keyring">The backend under test.</param>
    /// <param name="name">An entry name no one else uses.</param>
    public static async Task RoundTripAsync(IKeyring keyring, string name)
    {
        var none = CancellationToken.None;
        try
        {
            await keyring.SetAsync(name, First, none);
            Assert.Equal(new Dictionary<string, string?> { [name] = First }, await keyring.GetManyAsync([name, name + "-missing"], none));
            Assert.Contains(name, await keyring.ListAsync(none));

            await keyring.SetAsync(name, Second, none);
            Assert.Equal(Second, (await keyring.GetManyAsync([name], none))[name]);

            Assert.True(await keyring.RemoveAsync(name, none));
            Assert.False(await keyring.RemoveAsync(name, none));
            Assert.Empty(await keyring.GetManyAsync([name], none));
            Assert.DoesNotContain(name, await keyring.ListAsync(none));
        }
        finally
        {
            await keyring.RemoveAsync(name, none);
        }
    }
}
