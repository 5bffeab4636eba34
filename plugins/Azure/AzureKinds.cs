using Atmos.Plugins.Azure;
using Atmos.Plugins.Contracts;

[assembly: AtmosPlugin(typeof(AzurePlugin))]
[assembly: ProviderKind(AzureKinds.DeviceCode)]
[assembly: ProviderKind(AzureKinds.Interactive)]
[assembly: ProviderKind(AzureKinds.Cli)]
[assembly: ProviderKind(AzureKinds.Oidc)]
[assembly: IdentityKind(AzureKinds.Subscription)]
[assembly: IdentityKind(AzureKinds.Emulator)]

namespace Atmos.Plugins.Azure;

/// <summary>The kinds this plugin owns.</summary>
public static class AzureKinds
{
    /// <summary>Entra ID device-code login (a code typed at microsoft.com/devicelogin).</summary>
    public const string DeviceCode = "azure/device-code";

    /// <summary>Entra ID browser login.</summary>
    public const string Interactive = "azure/interactive";

    /// <summary>Reuses a login made with the Azure CLI.</summary>
    public const string Cli = "azure/cli";

    /// <summary>Workload identity federation: a service principal signed in with an OIDC token (CI).</summary>
    public const string Oidc = "azure/oidc";

    /// <summary>A subscription reached through one of the providers.</summary>
    public const string Subscription = "azure/subscription";

    /// <summary>An Azure emulator (Azurite...): standalone; its connection is environment variables, nothing is kept.</summary>
    public const string Emulator = "azure/emulator";
}
