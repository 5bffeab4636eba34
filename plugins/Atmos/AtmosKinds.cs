using Atmos.Plugins.Atmos;
using Atmos.Plugins.Contracts;

[assembly: AtmosPlugin(typeof(AtmosPlugin))]
[assembly: ProviderKind(AtmosKinds.GitHubOidc)]
[assembly: ProviderKind(AtmosKinds.ProProvider)]
[assembly: ProviderKind(AtmosKinds.Mock)]
[assembly: ProviderKind(AtmosKinds.MockAws)]
[assembly: IdentityKind(AtmosKinds.Ambient)]
[assembly: IdentityKind(AtmosKinds.ProIdentity)]
[assembly: IdentityKind(AtmosKinds.KubernetesEmulator)]
[assembly: IdentityKind(AtmosKinds.Mock)]
[assembly: IdentityKind(AtmosKinds.MockAws)]

namespace Atmos.Plugins.Atmos;

/// <summary>
/// The kinds atmos registers that belong to no cloud (REAL-ATMOS §6, <c>pkg/auth/factory</c>): ambient and OIDC ones that
/// hold nothing of their own, Atmos Pro, the test mocks, and the Kubernetes emulator identity.
/// </summary>
public static class AtmosKinds
{
    /// <summary>GitHub Actions OIDC: an ambient provider (the token comes from the runner on every call; nothing is kept).</summary>
    public const string GitHubOidc = "github/oidc";

    /// <summary>Atmos Pro provider: its JWT is kept in the keyring (envelope type <c>atmos-pro</c>).</summary>
    public const string ProProvider = "atmos/pro";

    /// <summary>Atmos Pro identity: its JWT is kept in the keyring too.</summary>
    public const string ProIdentity = "atmos/pro";

    /// <summary>Test provider and identity: mock credentials in the keyring (envelope type <c>mock</c>).</summary>
    public const string Mock = "mock";

    /// <summary>Test provider and identity with AWS-shaped credentials (a session token: atmos keeps them nowhere).</summary>
    public const string MockAws = "mock/aws";

    /// <summary>A standalone ambient identity: whatever the environment holds; atmos keeps nothing.</summary>
    public const string Ambient = "ambient";

    /// <summary>A Kubernetes cluster in an emulator: atmos writes its admin kubeconfig to <c>CONFIG/[r/]emulator/&lt;identity&gt;.kubeconfig</c>.</summary>
    public const string KubernetesEmulator = "kubernetes/emulator";
}
