using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>A temp HOME holding the realistic AWS tree (<see cref="AwsTree"/>) and an in-process CLI whose keyring holds its entries.</summary>
public sealed class SeededHome : IDisposable
{
    public SeededHome()
    {
        Cli = new CliRun(Home);
        Config = AwsTree.Seed(Home);
        AwsTree.SeedKeyring(Cli.Keyring).GetAwaiter().GetResult();
    }

    public TempHome Home { get; } = new();

    public CliRun Cli { get; }

    /// <summary>The atmos.yaml path.</summary>
    public string Config { get; }

    /// <summary>How many entries the keyring holds (6 as seeded).</summary>
    public async Task<int> KeyringCount() => (await Cli.Keyring.ListAsync(CancellationToken.None)).Count;

    public void Dispose() => Home.Dispose();
}
