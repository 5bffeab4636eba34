using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;

[assembly: AtmosPlugin(typeof(Json12Plugin))]
[assembly: ProviderKind("json12/token")]

namespace Atmos.Plugins.TestPlugins;

public sealed class Json12Plugin : NewtonsoftTokenPlugin
{
    public override string Cloud => "json12";
}
