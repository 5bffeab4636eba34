using Atmos.Plugins.Aws;
using Atmos.Plugins.Contracts;

[assembly: AtmosPlugin(typeof(AwsPlugin))]
[assembly: ProviderKind(AwsKinds.IdentityCenter)]
[assembly: ProviderKind(AwsKinds.Saml)]
[assembly: IdentityKind(AwsKinds.PermissionSet)]
[assembly: IdentityKind(AwsKinds.AssumeRole)]
[assembly: IdentityKind(AwsKinds.User)]
[assembly: IdentityKind(AwsKinds.AssumeRoot)]
[assembly: IdentityKind(AwsKinds.Ambient)]
[assembly: IdentityKind(AwsKinds.Emulator)]

namespace Atmos.Plugins.Aws;

/// <summary>The kinds this plugin owns.</summary>
public static class AwsKinds
{
    /// <summary>AWS IAM Identity Center (SSO) provider.</summary>
    public const string IdentityCenter = "aws/iam-identity-center";

    /// <summary>SAML provider (Okta, Google...).</summary>
    public const string Saml = "aws/saml";

    /// <summary>A permission set in an account, via an Identity Center provider.</summary>
    public const string PermissionSet = "aws/permission-set";

    /// <summary>An IAM role assumed from another identity or provider.</summary>
    public const string AssumeRole = "aws/assume-role";

    /// <summary>An IAM user with long-lived access keys; standalone (no provider).</summary>
    public const string User = "aws/user";

    /// <summary>Root access to a member account (sts:AssumeRoot), assumed from another identity: profiles like an assumed role's.</summary>
    public const string AssumeRoot = "aws/assume-root";

    /// <summary>Whatever the AWS SDK's default chain finds (IRSA, instance profile...): standalone, keeps nothing itself.</summary>
    public const string Ambient = "aws/ambient";

    /// <summary>An AWS emulator (LocalStack...): standalone; atmos writes dummy-credential profiles into a folder named after the identity.</summary>
    public const string Emulator = "aws/emulator";

    /// <summary>The folder standalone identities' files live in, in place of a provider folder.</summary>
    public const string StandaloneFolder = "aws-user";
}
