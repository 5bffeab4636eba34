using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;

[assembly: AtmosPlugin(typeof(Json13Plugin))]
[assembly: ProviderKind("json13/token")]

namespace Atmos.Plugins.TestPlugins;

public sealed class Json13Plugin : NewtonsoftTokenPlugin
{
    public override string Cloud => "json13";
}
