using Atmos.Plugins.Contracts;
using Atmos.Plugins.Gcp;

[assembly: AtmosPlugin(typeof(GcpPlugin))]
[assembly: ProviderKind(GcpKinds.Adc)]
[assembly: ProviderKind(GcpKinds.WorkloadIdentityFederation)]
[assembly: IdentityKind(GcpKinds.ServiceAccount)]
[assembly: IdentityKind(GcpKinds.Project)]
[assembly: IdentityKind(GcpKinds.Emulator)]

namespace Atmos.Plugins.Gcp;

/// <summary>The kinds this plugin owns.</summary>
public static class GcpKinds
{
    /// <summary>Application Default Credentials of a user or service account (gcloud login).</summary>
    public const string Adc = "gcp/adc";

    /// <summary>Workload identity federation: an external OIDC/SAML token exchanged for Google credentials.</summary>
    public const string WorkloadIdentityFederation = "gcp/workload-identity-federation";

    /// <summary>A service account (<c>principal.service_account_email</c>), signed in or impersonated.</summary>
    public const string ServiceAccount = "gcp/service-account";

    /// <summary>A project worked on with the provider's account (<c>principal.project_id</c>, optional <c>principal.account</c>).</summary>
    public const string Project = "gcp/project";

    /// <summary>A GCP emulator (Pub/Sub, Firestore...): standalone; its connection is environment variables, nothing is kept.</summary>
    public const string Emulator = "gcp/emulator";
}
