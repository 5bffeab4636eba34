using System.Text;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Gcp.Tests;

/// <summary>The contract's single-setting INI edits that the gcloud configurations rely on.</summary>
public sealed class IniDocumentKeyTests
{
    [Fact]
    public void Remove_key_drops_the_setting_and_its_continuation_lines_and_keeps_every_other_byte()
    {
        var original = "\uFEFF; gcloud configuration\r\n[core]\r\naccount = a@x.com\r\n  continued\r\nproject=p   \r\n[other]\r\naccount = kept@x.com";
        var edit = Parse(original).RemoveKey("core", "account", out var removed);

        Assert.Equal(1, removed);
        Assert.Equal("\uFEFF; gcloud configuration\r\n[core]\r\nproject=p   \r\n[other]\r\naccount = kept@x.com", Text(edit));
        Assert.Equal(FileEditKind.Unchanged, Parse(original).RemoveKey("core", "region", out removed).Kind);
        Assert.Equal(0, removed);
    }

    [Theory]
    [InlineData("[core]\naccount   =  old@x.com   \nproject = p\n", "[core]\naccount   =  new@x.com\nproject = p\n")]
    [InlineData("[core]\r\naccount:old@x.com\r\n", "[core]\r\naccount:new@x.com\r\n")]
    [InlineData("[core]\naccount =\n", "[core]\naccount = new@x.com\n")]
    [InlineData("[core]\nproject = p\n\n[compute]\nzone = z\n", "[core]\nproject = p\naccount = new@x.com\n\n[compute]\nzone = z\n")]
    [InlineData("[core]", "[core]\naccount = new@x.com\n")]
    [InlineData("[compute]\r\nzone = z", "[compute]\r\nzone = z\r\n[core]\r\naccount = new@x.com\r\n")]
    [InlineData("", "[core]\naccount = new@x.com\n")]
    public void Set_value_replaces_in_place_or_adds_the_setting(string original, string expected)
    {
        Assert.Equal(expected, Text(Parse(original).SetValue("core", "account", "new@x.com")));
    }

    [Fact]
    public void Set_value_to_the_same_value_changes_nothing_and_refuses_what_would_not_round_trip()
    {
        Assert.Equal(FileEditKind.Unchanged, Parse("[core]\naccount = a@x.com\n").SetValue("core", "account", "a@x.com").Kind);
        Assert.Throws<ArgumentException>(() => Parse("[core]\n").SetValue("core", "account", "a\nb"));
        Assert.Throws<ArgumentException>(() => Parse("[core]\n").SetValue("core", "a=b", "c"));
    }

    private static IniDocument Parse(string text) => IniDocument.Parse(Encoding.UTF8.GetBytes(text));

    private static string Text(FileEdit edit)
    {
        Assert.Equal(FileEditKind.Replace, edit.Kind);
        return Encoding.UTF8.GetString(edit.Content!);
    }
}
