using System.Globalization;
using System.Text;

namespace Atmos.Plugins.Reliability.Helper;

/// <summary>What the helper writes and prints; the tests link this file to build the expected results.</summary>
public static class HelperProtocol
{
    /// <summary>The line the helper prints once it is about to start editing.</summary>
    public const string Ready = "ready";

    /// <summary>The text of the <paramref name="n"/>-th section appended by <c>append</c>.</summary>
    /// <param name="prefix">The section name prefix.</param>
    /// <param name="n">The 0-based number.</param>
    public static string AppendedSection(string prefix, int n) =>
        $"[{prefix}-{n}]\naws_access_key_id = APPENDED{n:D6}\nregion = us-east-1\n\n";

    /// <summary>The content of a counter file plus one.</summary>
    /// <param name="counter">A decimal number in UTF-8.</param>
    public static byte[] Increment(byte[] counter) =>
        Encoding.UTF8.GetBytes((long.Parse(Encoding.UTF8.GetString(counter), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));
}
