using Acme.AtmosPlugin;
using Atmos.Plugins.Contracts;

// What atmos reads from this assembly's metadata, without loading it: the plugin class and the kinds it owns.
// atmos loads the plugin only when a command needs one of these kinds.
[assembly: AtmosPlugin(typeof(AcmePlugin))]
[assembly: ProviderKind(AcmeKinds.Sso)]
[assembly: IdentityKind(AcmeKinds.Role)]

namespace Acme.AtmosPlugin;

/// <summary>The kinds this plugin owns (the <c>kind:</c> values in atmos.yaml).</summary>
public static class AcmeKinds
{
    /// <summary>Acme single sign-on for one tenant; keeps its session in <c>&lt;base&gt;/&lt;provider&gt;/session.json</c>.</summary>
    public const string Sso = "acme/sso";

    /// <summary>A role assumed through an <see cref="Sso"/> provider; its temporary keys live in the provider's <c>roles.json</c>.</summary>
    public const string Role = "acme/role";
}
