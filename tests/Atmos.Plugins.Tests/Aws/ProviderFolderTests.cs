using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Aws;

/// <summary>
/// The AWS plugin's provider folders: with many providers it reads each base folder once instead of looking for every
/// provider's folder on its own; the answers must be the same.
/// </summary>
public sealed class ProviderFolderTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Only_providers_whose_folder_is_there_get_a_folder_step_in_every_base_folder()
    {
        var names = Enumerable.Range(0, 200).Select(i => $"p{i:D3}").ToList();
        _home.Write(".config/atmos/aws/p007/credentials", "[p007-admin]\naws_access_key_id = AKIA7\n");
        _home.Write(".config/atmos/aws/p150/config", "[profile p150-admin]\nregion = us-east-1\n");
        _home.Write("custom/p199/credentials", "[x]\naws_access_key_id = AKIA9\n");
        _home.Write(".config/atmos/aws/p042", "a file where a folder would be");
        var providers = names.Select(n => Provider(n, n == "p199" ? _home.PathOf("custom") : _home.PathOf(".config/atmos/aws"))).ToList();
        // Providers whose base folder does not exist at all.
        providers.Add(Provider("q1", _home.PathOf("missing")));
        providers.Add(Provider("q2", _home.PathOf("missing")));

        var steps = new AwsPlugin().Plan(new PlanRequest(LogoutScope.All, providers, [], Environment()));

        Assert.All(steps, s => Assert.Equal("remove-provider-folder", s.Action));
        Assert.Equal(["p007", "p150", "p199"], steps.Select(s => s.Principals[0]));
        Assert.Equal([_home.PathOf(".config/atmos/aws/p007"), _home.PathOf(".config/atmos/aws/p150"), _home.PathOf("custom/p199")], steps.Select(s => s.Target.TrimEnd('/')));
    }

    [Fact]
    public void A_provider_folder_that_is_a_symbolic_link_is_still_found()
    {
        var real = _home.Write("elsewhere/credentials", "[x]\naws_access_key_id = AKIA1\n");
        Directory.CreateDirectory(_home.PathOf(".config/atmos/aws"));
        Directory.CreateSymbolicLink(_home.PathOf(".config/atmos/aws/linked"), Path.GetDirectoryName(real)!);

        var steps = new AwsPlugin().Plan(new PlanRequest(LogoutScope.All, [Provider("linked", _home.PathOf(".config/atmos/aws")), Provider("absent", _home.PathOf(".config/atmos/aws"))], [], Environment()));

        var step = Assert.Single(steps);
        Assert.Equal(["linked"], step.Principals);
    }

    private PluginEnvironment Environment() =>
        new(_home.Home, _home.PathOf(".config/atmos/aws"), _home.PathOf(".cache"), _home.PathOf(".local/share"), TimeSpan.FromSeconds(5), TimeProvider.System, new Dictionary<string, string>());

    private static ProviderTarget Provider(string name, string baseFolder) =>
        new(name, "aws/saml", baseFolder, Path.Join(baseFolder, name), true, Settings.Empty);
}
