namespace Atmos.Plugins.Tests.Support;

/// <summary>Makes rendered output independent of the machine: temp folders and run ids become placeholders.</summary>
public static class Scrubber
{
    /// <summary>The temp home as <c>~</c> (the CLI already shows it so), anything else under the temp root as <c>&lt;tmp&gt;</c>.</summary>
    public static string Scrub(string text, TempHome home)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(home);
        return text.Replace(home.Home, "~", StringComparison.Ordinal).Replace(home.Root, "<tmp>", StringComparison.Ordinal);
    }
}
