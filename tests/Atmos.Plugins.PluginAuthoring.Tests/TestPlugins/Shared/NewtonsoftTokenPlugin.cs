using Newtonsoft.Json.Linq;

namespace Atmos.Plugins.TestPlugins;

/// <summary>A token file read with whichever Newtonsoft.Json the plugin carries.</summary>
public abstract class NewtonsoftTokenPlugin : TokenFilePlugin
{
    protected override string FileName => "token.json";

    protected override string Library => $"Newtonsoft.Json {typeof(JObject).Assembly.GetName().Version}";

    protected override string Account(string text) => (string)JObject.Parse(text)["account"]!;
}
