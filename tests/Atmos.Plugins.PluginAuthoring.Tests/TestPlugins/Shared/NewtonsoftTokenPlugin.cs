using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;
using Newtonsoft.Json.Linq;

// The provider kind comes from the project (json12/token, json13/token): one source, built against two versions.
[assembly: AtmosPlugin(typeof(NewtonsoftTokenPlugin))]

namespace Atmos.Plugins.TestPlugins;

/// <summary>A token file read with whichever Newtonsoft.Json the plugin carries; its cloud is named after that version.</summary>
public sealed class NewtonsoftTokenPlugin : TokenFilePlugin
{
    private static readonly Version LibraryVersion = typeof(JObject).Assembly.GetName().Version!;

    public override string Cloud => $"json{LibraryVersion.Major}";

    protected override string FileName => "token.json";

    protected override string Library => $"Newtonsoft.Json {LibraryVersion}";

    protected override string Account(string text) => (string)JObject.Parse(text)["account"]!;
}
