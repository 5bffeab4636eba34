using System.Text;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Tests.Safety;

public sealed class IniDocumentTests
{
    private static string Remove(string content, params string[] sections)
    {
        var edit = IniDocument.Parse(Encoding.UTF8.GetBytes(content), "credentials").RemoveSections(sections.Contains, out _);
        return edit.Kind switch
        {
            FileEditKind.Replace => Encoding.UTF8.GetString(edit.Content!),
            FileEditKind.Delete => "<deleted>",
            _ => "<unchanged>",
        };
    }

    [Fact]
    public void Removes_a_middle_section_and_keeps_every_other_byte()
    {
        Assert.Equal(
            "# top\n[a]\nk = 1\n\n[c]\nk = 3\n",
            Remove("# top\n[a]\nk = 1\n\n[b]\nk = 2\n\n[c]\nk = 3\n", "b"));
    }

    [Fact]
    public void Keeps_comments_that_lead_into_the_next_section()
    {
        Assert.Equal(
            "[a]\nk = 1\n# about c\n\n[c]\nk = 3\n",
            Remove("[a]\nk = 1\n[b]\nk = 2\n\n# about c\n\n[c]\nk = 3\n", "b"));
    }

    [Fact]
    public void An_atmos_expiration_comment_goes_with_the_section_below_it()
    {
        // As atmos writes credentials (gopkg.in/ini): the metadata comment right above each header, a blank line between.
        const string file =
            "; atmos: expiration=2025-10-17T11:00:00Z\n[dev-admin]\naws_access_key_id = A\n\n"
            + "; atmos: expiration=2025-10-17T12:00:00Z\n[prod-admin]\naws_access_key_id = B\n\n"
            + "; atmos: expiration=2025-10-17T13:00:00Z\n[ci]\naws_access_key_id = C\n";

        Assert.Equal(
            "; atmos: expiration=2025-10-17T12:00:00Z\n[prod-admin]\naws_access_key_id = B\n\n; atmos: expiration=2025-10-17T13:00:00Z\n[ci]\naws_access_key_id = C\n",
            Remove(file, "dev-admin"));
        Assert.Equal(
            "; atmos: expiration=2025-10-17T11:00:00Z\n[dev-admin]\naws_access_key_id = A\n\n; atmos: expiration=2025-10-17T13:00:00Z\n[ci]\naws_access_key_id = C\n",
            Remove(file, "prod-admin"));
        Assert.Equal(
            "; atmos: expiration=2025-10-17T11:00:00Z\n[dev-admin]\naws_access_key_id = A\n\n; atmos: expiration=2025-10-17T12:00:00Z\n[prod-admin]\naws_access_key_id = B\n\n",
            Remove(file, "ci"));
    }

    [Fact]
    public void Other_comments_above_a_removed_section_stay_and_only_atmos_metadata_goes_with_it()
    {
        Assert.Equal(
            "[a]\nk = 1\n# about b, by hand\n\n# atmos: about c\n[c]\n",
            Remove("[a]\nk = 1\n# about b, by hand\n;atmos: expiration=x\n\n[b]\nk = 2\n# atmos: about c\n[c]\n", "b"));
        Assert.Equal(
            "[a]\nk = 1\n; atmosphere: not ours\n[c]\n",
            Remove("[a]\nk = 1\n; atmosphere: not ours\n[b]\nk = 2\n[c]\n", "b"));
        Assert.True(IniDocument.IsAtmosMetadataComment("\t#  atmos: expiration=1\r\n"));
        Assert.False(IniDocument.IsAtmosMetadataComment("; Atmos: expiration=1"));
        Assert.False(IniDocument.IsAtmosMetadataComment("atmos: expiration=1"));
    }

    [Fact]
    public void Removes_comments_inside_the_removed_section_body()
    {
        Assert.Equal("[a]\nk = 1\n[c]\n", Remove("[a]\nk = 1\n[b]\n# inside b\nk = 2\n[c]\n", "b"));
    }

    [Fact]
    public void Preserves_crlf_line_endings_and_the_byte_order_mark()
    {
        Assert.Equal("\uFEFF[a]\r\nk = 1\r\n", Remove("\uFEFF[a]\r\nk = 1\r\n[b]\r\nk = 2\r\n", "b"));
        Assert.Equal("\uFEFF[b]\r\n", Remove("\uFEFF[a]\r\nk = 1\r\n[b]\r\n", "a"));
    }

    [Fact]
    public void Handles_a_file_without_a_final_newline()
    {
        Assert.Equal("[a]\nk = 1\n", Remove("[a]\nk = 1\n[b]\nk = 2", "b"));
        Assert.Equal("[b]\nk = 2", Remove("[a]\nk = 1\n[b]\nk = 2", "a"));
    }

    [Fact]
    public void Removes_every_duplicate_of_a_section()
    {
        Assert.Equal("[a]\n", Remove("[b]\nk = 1\n[a]\n[b]\nk = 2\n", "b"));
    }

    [Fact]
    public void Deletes_the_file_when_no_section_is_left_and_leaves_it_when_nothing_matched()
    {
        Assert.Equal("<deleted>", Remove("# only comments will remain\n[a]\nk = 1\n", "a"));
        Assert.Equal("<unchanged>", Remove("[a]\nk = 1\n", "zzz"));
    }

    [Fact]
    public void Keeps_indented_continuation_lines_with_their_section()
    {
        Assert.Equal("[profile a]\ns3 =\n  max = 1\n", Remove("[profile a]\ns3 =\n  max = 1\n[profile b]\ns3 =\n  max = 2\n", "profile b"));
    }

    [Fact]
    public void Matches_config_profile_headers_with_any_spacing()
    {
        Assert.True(IniDocument.IsProfileHeader("profile dev-admin", "dev-admin"));
        Assert.True(IniDocument.IsProfileHeader("profile   dev-admin", "dev-admin"));
        Assert.False(IniDocument.IsProfileHeader("profile dev-admin-2", "dev-admin"));
        Assert.False(IniDocument.IsProfileHeader("dev-admin", "dev-admin"));
        Assert.False(IniDocument.IsProfileHeader("sso-session dev-admin", "dev-admin"));
        Assert.Equal("dev-admin", IniDocument.ProfileNameOf("profile\tdev-admin"));
        Assert.Equal("dev admin", IniDocument.ProfileNameOf("profile   dev admin"));
        Assert.Null(IniDocument.ProfileNameOf("profiledev-admin"));
        Assert.Null(IniDocument.ProfileNameOf("profile"));
        Assert.Null(IniDocument.ProfileNameOf("default"));
        Assert.Null(IniDocument.ProfileNameOf("sso-session dev-admin"));
        Assert.Equal("dev admin", IniDocument.ProfileNameOf("profile   dev admin ".AsSpan()).ToString());
        Assert.True(IniDocument.ProfileNameOf("profile".AsSpan()).IsEmpty);
        Assert.True(IniDocument.ProfileNameOf("profile   ".AsSpan()).IsEmpty);
        Assert.True(IniDocument.ProfileNameOf("default".AsSpan()).IsEmpty);
    }

    [Fact]
    public void Visits_each_section_name_trimmed_in_file_order_and_checks_like_parse()
    {
        var names = new List<string>();
        IniDocument.VisitSectionNames("\uFEFF[ a ]\nk = v\n; c\n[profile  b] # note\r\n  cont\n[a]\n"u8, "/x/credentials", name => names.Add(name.ToString()));
        Assert.Equal(["a", "profile  b", "a"], names);

        var visited = 0;
        var error = Assert.Throws<MalformedFileException>(() => IniDocument.VisitSectionNames("[a]\nno separator\n[b]\n"u8, "/x/credentials", _ => visited++));
        Assert.Equal(1, visited);
        Assert.Contains("/x/credentials", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k = v\n[a]\n", 1, "setting before the first [section]")]
    [InlineData("[a]\nnot a setting\n", 2, "neither a [section]")]
    [InlineData("[a\nk = v\n", 1, "without a closing ']'")]
    [InlineData("[a] trailing\n", 1, "text after a section header")]
    [InlineData("[]\n", 1, "empty section header")]
    public void Reports_malformed_content_with_the_line(string content, int line, string problem)
    {
        var error = Assert.Throws<MalformedFileException>(() => IniDocument.Parse(Encoding.UTF8.GetBytes(content), "f"));
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_binary_and_invalid_utf8()
    {
        Assert.Throws<MalformedFileException>(() => IniDocument.Parse([(byte)'[', (byte)'a', (byte)']', 0, (byte)'\n']));
        Assert.Throws<MalformedFileException>(() => IniDocument.Parse([(byte)'[', 0xC3, 0x28, (byte)']']));
    }

    [Fact]
    public void Reads_values_and_section_names()
    {
        var document = IniDocument.Parse(Encoding.UTF8.GetBytes("[a]\nregion = us-east-1\n[b] ; note\nk: v\n"));
        Assert.Equal(["a", "b"], document.SectionNames);
        Assert.Equal("us-east-1", document.GetValue("a", "region"));
        Assert.Equal("v", document.GetValue("b", "k"));
        Assert.Null(document.GetValue("a", "k"));
    }
}
