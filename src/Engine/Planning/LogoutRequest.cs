using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>What the user asked for, after flags and environment were read (the picker may still be needed).</summary>
/// <param name="Scope">Identity, provider, all, or none (ask with the picker).</param>
/// <param name="Target">The identity or provider name as typed, for identity and provider scopes.</param>
/// <param name="DryRun"><c>--dry-run</c>.</param>
/// <param name="Keychain"><c>--keychain</c>.</param>
/// <param name="Force"><c>--force</c>.</param>
public sealed record LogoutRequest(ScopeKind Scope, string? Target, bool DryRun = false, bool Keychain = false, bool Force = false);
