namespace Atmos.Plugins.Tests.Support;

/// <summary>The realistic AWS tree (<see cref="AwsTree"/>) in a temp HOME with its keyring seeded, and the in-process CLI over both.</summary>
public sealed class SeededTree : IDisposable
{
    public SeededTree()
    {
        Cli = new CliRun(Home);
        Config = AwsTree.Seed(Home);
        AwsTree.SeedKeyring(Cli.Keyring).GetAwaiter().GetResult();
    }

    public TempHome Home { get; } = new();

    public CliRun Cli { get; }

    /// <summary>The seeded atmos.yaml.</summary>
    public string Config { get; }

    /// <summary>How many entries the keyring holds (6 as seeded).</summary>
    public async Task<int> KeyringCount() => (await Cli.Keyring.ListAsync(CancellationToken.None)).Count;

    public void Dispose() => Home.Dispose();
}
