using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;

[assembly: AtmosPlugin(typeof(InertPlugin))]
[assembly: ProviderKind("newer/provider")]
