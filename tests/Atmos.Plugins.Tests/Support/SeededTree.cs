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

    public void Dispose() => Home.Dispose();
}
