namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// The credential realm (REAL-ATMOS §3, atmos's <c>pkg/auth/realm</c>): <c>ATMOS_AUTH_REALM</c>, else <c>auth.realm</c>,
/// else none (the legacy layout). A realm scopes keyring keys (<c>atmos_&lt;realm&gt;_&lt;name&gt;</c>) and is the top
/// folder of every credential path (<c>&lt;atmos config home&gt;/&lt;realm&gt;/aws/…</c>).
/// </summary>
/// <param name="Value">The realm, or null for none.</param>
/// <param name="Source">Where it came from: <c>env</c>, <c>config</c>, or <c>none</c>.</param>
/// <param name="Problem">Why the value is not a valid realm (atmos refuses every auth command then), or null.</param>
public sealed record AuthRealm(string? Value, string Source, string? Problem)
{
    /// <summary>The variable that overrides <c>auth.realm</c>.</summary>
    public const string Variable = "ATMOS_AUTH_REALM";

    /// <summary>The longest realm atmos accepts.</summary>
    public const int MaxLength = 64;

    /// <summary>Resolves the realm of a run. A set but invalid value gives <see cref="Problem"/> and a null <see cref="Value"/>.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="config">The config (for <c>auth.realm</c>).</param>
    public static AuthRealm Resolve(IReadOnlyDictionary<string, string> environment, AuthConfig config)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(config);
        if (environment.TryGetValue(Variable, out var fromEnvironment) && fromEnvironment.Length > 0)
        {
            return ProblemWith(fromEnvironment) is { } problem
                ? new AuthRealm(null, "env", $"invalid realm value in the {Variable} environment variable: {problem}")
                : new AuthRealm(fromEnvironment, "env", null);
        }

        if (!string.IsNullOrEmpty(config.Realm))
        {
            return ProblemWith(config.Realm) is { } problem
                ? new AuthRealm(null, "config", $"invalid realm value in auth.realm: {problem}")
                : new AuthRealm(config.Realm, "config", null);
        }

        return new AuthRealm(null, "none", null);
    }

    /// <summary>
    /// atmos's realm rules (<c>realm.Validate</c>): 1 to 64 of <c>a-z 0-9 - _</c>; no leading or trailing <c>-</c> or
    /// <c>_</c>; none of <c>--</c>, <c>__</c>, <c>-_</c>, <c>_-</c>. Null when valid; otherwise the problem and the fix.
    /// </summary>
    /// <param name="realm">The value.</param>
    public static string? ProblemWith(string realm)
    {
        ArgumentNullException.ThrowIfNull(realm);
        if (realm.Length == 0)
        {
            return "the realm is empty; remove it or give a name such as 'acme'";
        }

        if (realm.Length > MaxLength)
        {
            return $"'{Shown(realm)}' is {realm.Length} characters; a realm has at most {MaxLength}";
        }

        var invalid = realm.Where(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')).Distinct().ToList();
        if (invalid.Count > 0)
        {
            return $"'{Shown(realm)}' contains {string.Join(" ", invalid.Select(Describe))}; use only lower-case letters, digits, '-' and '_'";
        }

        if (realm[0] is '-' or '_' || realm[^1] is '-' or '_')
        {
            return $"'{realm}' starts or ends with '-' or '_'; begin and end with a letter or digit";
        }

        if (realm.Contains("--", StringComparison.Ordinal) || realm.Contains("__", StringComparison.Ordinal)
            || realm.Contains("-_", StringComparison.Ordinal) || realm.Contains("_-", StringComparison.Ordinal))
        {
            return $"'{realm}' has consecutive '-' or '_'; separate words with a single '-' or '_'";
        }

        return null;
    }

    /// <summary>Whether <paramref name="name"/> is a valid realm (and so safe as a folder name).</summary>
    /// <param name="name">A folder or key segment.</param>
    public static bool IsValid(string name) => ProblemWith(name) is null;

    private static string Describe(char c) => c switch
    {
        '/' or '\\' => $"'{c}' (a path separator)",
        _ when char.IsControl(c) => $"\\u{(int)c:x4}",
        ' ' => "a space",
        >= 'A' and <= 'Z' => $"'{c}' (upper case)",
        _ => $"'{c}'",
    };

    private static string Shown(string value) =>
        string.Concat(value.Take(MaxLength + 8).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + (value.Length > MaxLength + 8 ? "…" : string.Empty);
}
