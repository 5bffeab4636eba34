namespace Atmos.Plugins.Contracts;

/// <summary>
/// Names the class that implements <see cref="IProviderPlugin"/> in a plugin assembly.
/// The host reads this attribute from the assembly's metadata, so it finds the plugin without scanning types.
/// </summary>
/// <example><c>[assembly: AtmosPlugin(typeof(MyCloudPlugin))]</c></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class AtmosPluginAttribute : Attribute
{
    /// <summary>Declares the plugin entry type.</summary>
    /// <param name="pluginType">A public, non-abstract class with a public parameterless constructor that implements <see cref="IProviderPlugin"/>.</param>
    public AtmosPluginAttribute(Type pluginType) => PluginType = pluginType;

    /// <summary>The class that implements <see cref="IProviderPlugin"/>.</summary>
    public Type PluginType { get; }
}

/// <summary>
/// Declares a provider kind (the <c>kind:</c> of an entry under <c>auth.providers</c>) that the plugin owns.
/// The host reads these without loading the plugin, so it loads only plugins whose kinds a command needs.
/// Two plugins declaring the same kind is a load error naming both.
/// </summary>
/// <example><c>[assembly: ProviderKind("aws/iam-identity-center")]</c></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ProviderKindAttribute : Attribute
{
    /// <summary>Declares one provider kind.</summary>
    /// <param name="kind">The kind, conventionally <c>cloud/flavour</c>.</param>
    public ProviderKindAttribute(string kind) => Kind = kind;

    /// <summary>The declared provider kind.</summary>
    public string Kind { get; }
}

/// <summary>
/// Declares an identity kind (the <c>kind:</c> of an entry under <c>auth.identities</c>) that the plugin owns.
/// </summary>
/// <example><c>[assembly: IdentityKind("aws/permission-set")]</c></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class IdentityKindAttribute : Attribute
{
    /// <summary>Declares one identity kind.</summary>
    /// <param name="kind">The kind, conventionally <c>cloud/flavour</c>.</param>
    public IdentityKindAttribute(string kind) => Kind = kind;

    /// <summary>The declared identity kind.</summary>
    public string Kind { get; }
}

/// <summary>
/// Declares an integration kind (the <c>kind:</c> of an entry under <c>auth.integrations</c>, such as <c>aws/ecr</c>) that
/// the plugin owns: it cleans up what atmos's integration of that kind writes (Docker logins, kubeconfig entries, token
/// state) when the identity that owns the integration is logged out (contract 1.2).
/// </summary>
/// <example><c>[assembly: IntegrationKind("aws/eks")]</c></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class IntegrationKindAttribute : Attribute
{
    /// <summary>Declares one integration kind.</summary>
    /// <param name="kind">The kind, conventionally <c>cloud/service</c>.</param>
    public IntegrationKindAttribute(string kind) => Kind = kind;

    /// <summary>The declared integration kind.</summary>
    public string Kind { get; }
}
