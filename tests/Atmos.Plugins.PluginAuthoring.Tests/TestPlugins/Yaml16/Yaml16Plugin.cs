using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;
using YamlDotNet.Serialization;

[assembly: AtmosPlugin(typeof(Yaml16Plugin))]
[assembly: ProviderKind("yaml16/token")]

namespace Atmos.Plugins.TestPlugins;

public sealed class Yaml16Plugin : TokenFilePlugin
{
    public override string Cloud => "yaml16";

    protected override string FileName => "token.yaml";

    protected override string Library => $"YamlDotNet {typeof(Deserializer).Assembly.GetName().Version}";

    protected override string Account(string text) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>(text)["account"];
}
