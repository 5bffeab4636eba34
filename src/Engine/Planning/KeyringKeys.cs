using Atmos.Plugins.Engine.Config;

namespace Atmos.Plugins.Engine.Planning;

/// <summary>
/// The keyring keys atmos versions stored a principal's credential under (REAL-ATMOS §2, <c>buildKeyringKey</c>):
/// v1.199 to v1.205 used the name itself; v1.206 and later <c>atmos_&lt;name&gt;</c>, or with a realm
/// <c>atmos_&lt;realm&gt;_&lt;name&gt;</c>. atmos lower-cases names when it loads its config, so each form is looked up
/// in lower case and as written.
/// </summary>
public static class KeyringKeys
{
    /// <summary>What every key since v1.206 starts with.</summary>
    public const string Prefix = "atmos_";

    /// <summary>
    /// Every key of <paramref name="name"/>, current form first: with a realm <c>atmos_&lt;realm&gt;_&lt;name&gt;</c>, then
    /// the legacy <c>atmos_&lt;name&gt;</c> and <c>&lt;name&gt;</c>; each in lower case, then as written. Distinct.
    /// </summary>
    /// <param name="name">The identity or provider name as written in atmos.yaml.</param>
    /// <param name="realm">The run's realm (valid), or null.</param>
    public static IReadOnlyList<string> For(string name, string? realm)
    {
        ArgumentNullException.ThrowIfNull(name);
        var forms = BasePaths.NameForms(name);
        var keys = new List<string>(forms.Count * (realm is null ? 2 : 3));
        if (realm is not null)
        {
            foreach (var form in forms)
            {
                keys.Add($"{Prefix}{realm}_{form}");
            }
        }

        foreach (var form in forms)
        {
            keys.Add(Prefix + form);
        }

        keys.AddRange(forms);
        return keys;
    }
}
