using System.Diagnostics;
using System.Runtime.Versioning;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests.Files;

/// <summary>
/// The file keyring with atmos's own file backend's entries (99designs/keyring JWE files, written by the real Go
/// library) in its folder, alone and beside our own format.
/// </summary>
public sealed class AtmosFileEntriesTests : IDisposable
{
    private const string OurPassword = "our own keyring password";

    private readonly string _root = Directory.CreateTempSubdirectory("atmos-jwe-keyring-").FullName;

    private static AtmosFileKeyring Atmos => AtmosFileKeyring.Atmos;

    private string Folder => Path.Combine(_root, "atmos", "keyring");

    [Fact]
    public async Task Entries_written_by_atmos_are_listed_found_and_read_with_the_password()
    {
        Atmos.WriteTo(Folder);
        var keyring = new FileKeyring(Folder, Atmos.Password);

        var listed = await keyring.ListAsync(CancellationToken.None);
        var read = await keyring.GetManyAsync([.. Atmos.Values.Keys, "atmos_never-stored", "never-stored"], CancellationToken.None);

        Assert.Equal(
            ["atmos_100%_sure", "atmos_aws-sso", "atmos_core-root/terraform", "atmos_dev-admin", "atmos_dév.admin", "atmos_not-an-envelope", "atmos_prod_dev-admin", "dev-admin"],
            listed);
        Assert.Equal(Atmos.Values.OrderBy(p => p.Key, StringComparer.Ordinal), read.OrderBy(p => p.Key, StringComparer.Ordinal)!);
        Assert.Equal("""{"type":"aws","data":{"access_key_id":"AKIACOREROOT","secret_access_key":"SECRET-core-root-key"}}""", read["atmos_core-root/terraform"]);
    }

    [Fact]
    public async Task A_password_outside_ascii_reads_as_atmos_wrote_it()
    {
        var unicode = AtmosFileKeyring.UnicodePassword;
        unicode.WriteTo(Folder);

        var read = await new FileKeyring(Folder, unicode.Password).GetManyAsync(["atmos_dev-admin"], CancellationToken.None);

        Assert.Equal(unicode.Values["atmos_dev-admin"], read["atmos_dev-admin"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not the password")]
    public async Task Without_the_right_password_entries_are_listed_found_unreadable_and_removed(string? password)
    {
        Atmos.WriteTo(Folder);
        var keyring = new FileKeyring(Folder, password);

        var read = await keyring.GetManyAsync(["atmos_dev-admin", "dev-admin", "atmos_missing"], CancellationToken.None);
        var entry = KeyringEnvelope.Parse("atmos_dev-admin", "aws/user", read["atmos_dev-admin"]);

        Assert.Equal(Atmos.Values.Keys.Order(StringComparer.Ordinal), await keyring.ListAsync(CancellationToken.None));
        Assert.Equal(["atmos_dev-admin", "dev-admin"], read.Keys.Order(StringComparer.Ordinal));
        Assert.All(read.Values, Assert.Null);
        Assert.Null(entry.EnvelopeType);
        Assert.Empty(entry.Fields);
        Assert.True(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(Folder, "atmos_dev-admin")));
        Assert.DoesNotContain("atmos_dev-admin", await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Removing_deletes_exactly_the_escaped_file_and_nothing_else()
    {
        Atmos.WriteTo(Folder);
        var keyring = new FileKeyring(Folder, Atmos.Password);
        var before = Snapshot();

        Assert.True(await keyring.RemoveAsync("atmos_core-root/terraform", CancellationToken.None));
        Assert.True(await keyring.RemoveAsync("atmos_100%_sure", CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("atmos_core-root/terraform", CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("atmos_core-root", CancellationToken.None));

        var after = Snapshot();
        Assert.Equal(before.Keys.Except(["atmos_core-root%2Fterraform", "atmos_100%25_sure"]), after.Keys);
        Assert.All(after, file => Assert.Equal(before[file.Key], file.Value));
    }

    [Fact]
    public async Task Both_formats_share_the_folder_without_touching_each_other()
    {
        Atmos.WriteTo(Folder);
        var keyring = new FileKeyring(Folder, OurPassword);
        var atmosFiles = Snapshot();

        await keyring.SetAsync("aws-sso", """{"type":"aws","data":{"v":"ours"}}""", CancellationToken.None);
        await keyring.SetAsync("atmos_staging-admin", """{"type":"aws","data":{"v":"ours too"}}""", CancellationToken.None);

        // Our writes left atmos's files as they were.
        Assert.All(atmosFiles, file => Assert.Equal(file.Value, Snapshot()[file.Key]));
        Assert.Equal(
            Atmos.Values.Keys.Append("atmos_staging-admin").Append("aws-sso").Order(StringComparer.Ordinal),
            await keyring.ListAsync(CancellationToken.None));
        var read = await keyring.GetManyAsync(["aws-sso", "atmos_staging-admin", "atmos_dev-admin"], CancellationToken.None);
        Assert.Equal("""{"type":"aws","data":{"v":"ours"}}""", read["aws-sso"]);
        Assert.Equal("""{"type":"aws","data":{"v":"ours too"}}""", read["atmos_staging-admin"]);
        Assert.Null(read["atmos_dev-admin"]); // atmos's entry, under another password: present, not readable

        // Removing one format's entry leaves the other format's files byte for byte.
        var ours = Snapshot().Where(file => !atmosFiles.ContainsKey(file.Key)).ToDictionary();
        Assert.True(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));
        Assert.All(ours, file => Assert.Equal(file.Value, Snapshot()[file.Key]));
        Assert.True(await keyring.RemoveAsync("aws-sso", CancellationToken.None));
        Assert.All(atmosFiles.Where(file => file.Key != "atmos_dev-admin"), file => Assert.Equal(file.Value, Snapshot()[file.Key]));
        Assert.Equal("""{"type":"aws","data":{"v":"ours too"}}""", (await keyring.GetManyAsync(["atmos_staging-admin"], CancellationToken.None))["atmos_staging-admin"]);
    }

    [Fact]
    public async Task A_name_in_both_formats_reads_the_newer_file_and_is_removed_from_both()
    {
        Atmos.WriteTo(Folder, "atmos_dev-admin");
        var keyring = new FileKeyring(Folder, Atmos.Password);
        await keyring.SetAsync("atmos_dev-admin", """{"type":"aws","data":{"v":"ours, newer"}}""", CancellationToken.None);
        var ours = Path.Combine(Folder, FileKeyring.EncodeFileName("atmos_dev-admin"));
        var theirs = Path.Combine(Folder, "atmos_dev-admin");
        File.SetLastWriteTimeUtc(theirs, DateTime.UtcNow.AddMinutes(-5));

        Assert.Equal(["atmos_dev-admin"], await keyring.ListAsync(CancellationToken.None));
        Assert.Equal("""{"type":"aws","data":{"v":"ours, newer"}}""", (await keyring.GetManyAsync(["atmos_dev-admin"], CancellationToken.None))["atmos_dev-admin"]);
        File.SetLastWriteTimeUtc(ours, DateTime.UtcNow.AddMinutes(-10));
        Assert.Equal(Atmos.Values["atmos_dev-admin"], (await keyring.GetManyAsync(["atmos_dev-admin"], CancellationToken.None))["atmos_dev-admin"]);

        Assert.True(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));

        Assert.False(File.Exists(ours));
        Assert.False(File.Exists(theirs));
        Assert.False(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task Files_that_are_not_entries_of_either_format_are_never_listed_read_or_removed()
    {
        Atmos.WriteTo(Folder, "atmos_dev-admin");
        var jwe = Atmos.Files["atmos_dev-admin"];
        var elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "atmos_linked"), jwe);
        File.CreateSymbolicLink(Path.Combine(Folder, "atmos_linked"), Path.Combine(elsewhere, "atmos_linked"));
        File.WriteAllText(Path.Combine(Folder, "atmos_notes"), "my own notes, not a keyring entry\n");
        File.WriteAllText(Path.Combine(Folder, "atmos_a%2fb"), jwe); // 99designs would name it atmos_a%2Fb
        File.WriteAllText(Path.Combine(Folder, "atmos_empty"), string.Empty);
        File.WriteAllText(Path.Combine(Folder, "keyring.json"), "{}");
        File.WriteAllText(Path.Combine(Folder, "atmos_ours-renamed"), "AKR1 sealed bytes under a name that is not ours");
        Directory.CreateDirectory(Path.Combine(Folder, "atmos_folder"));
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(Folder, "atmos_fifo")]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var before = Snapshot();
        var keyring = new FileKeyring(Folder, Atmos.Password);
        string[] strangers = ["atmos_linked", "atmos_notes", "atmos_a/b", "atmos_a%2fb", "atmos_empty", "keyring.json", "atmos_ours-renamed", "atmos_folder", "atmos_fifo"];

        var listed = await keyring.ListAsync(CancellationToken.None);
        var read = await keyring.GetManyAsync(strangers, CancellationToken.None);
        var removed = new List<bool>();
        foreach (var name in strangers.Where(name => name != "atmos_linked"))
        {
            removed.Add(await keyring.RemoveAsync(name, CancellationToken.None));
        }

        Assert.Equal(["atmos_dev-admin"], listed);
        Assert.Empty(read);
        Assert.All(removed, Assert.False);
        Assert.Equal(before, Snapshot());
        var link = await Assert.ThrowsAsync<KeyringOperationException>(() => keyring.RemoveAsync("atmos_linked", CancellationToken.None));
        Assert.Contains("symbolic link", link.Reason, StringComparison.Ordinal);
        Assert.Equal(jwe, File.ReadAllText(Path.Combine(elsewhere, "atmos_linked")));
    }

    [Fact]
    public async Task An_atmos_entry_whose_key_looks_like_our_file_name_stays_atmos_s()
    {
        // 99designs stores a key named "6465762d61646d696e.entry" under that name; by name alone it would be our
        // entry "dev-admin", by content it is not.
        var lookalike = FileKeyring.EncodeFileName("dev-admin");
        Directory.CreateDirectory(Folder);
        await File.WriteAllTextAsync(Path.Combine(Folder, lookalike), Atmos.Files["dev-admin"]);
        var keyring = new FileKeyring(Folder, Atmos.Password);

        Assert.Equal([lookalike], await keyring.ListAsync(CancellationToken.None));
        Assert.Empty(await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.Equal(Atmos.Values["dev-admin"], (await keyring.GetManyAsync([lookalike], CancellationToken.None))[lookalike]);
        await Assert.ThrowsAsync<KeyringOperationException>(() => keyring.SetAsync("dev-admin", "{}", CancellationToken.None));
        Assert.Equal(Atmos.Files["dev-admin"], await File.ReadAllTextAsync(Path.Combine(Folder, lookalike)));
        Assert.True(await keyring.RemoveAsync(lookalike, CancellationToken.None));
    }

    [Fact]
    public async Task A_damaged_atmos_entry_is_found_unreadable_and_removed()
    {
        Directory.CreateDirectory(Folder);
        var token = Atmos.Files["atmos_dev-admin"];
        await File.WriteAllTextAsync(Path.Combine(Folder, "atmos_dev-admin"), token[..(token.LastIndexOf('.') + 3)]); // tag cut short
        var keyring = new FileKeyring(Folder, Atmos.Password);

        var read = await keyring.GetManyAsync(["atmos_dev-admin"], CancellationToken.None);

        Assert.True(read.ContainsKey("atmos_dev-admin"));
        Assert.Null(read["atmos_dev-admin"]);
        Assert.True(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));
    }

    [Fact]
    public void File_names_are_99designs_escapes_of_the_keys()
    {
        Assert.Equal("atmos_dev-admin", JweEntries.FileName("atmos_dev-admin"));
        Assert.Equal("atmos_core-root%2Fterraform", JweEntries.FileName("atmos_core-root/terraform"));
        Assert.Equal("100%25%2F%25", JweEntries.FileName("100%/%"));
        Assert.Equal("atmos_dév.admin", JweEntries.FileName("atmos_dév.admin"));
        Assert.Null(JweEntries.FileName(".."));
        Assert.Null(JweEntries.FileName("."));
        Assert.Null(JweEntries.FileName("a\0b"));
        Assert.Null(JweEntries.FileName(new string('x', 256)));

        Assert.Equal("atmos_core-root/terraform", JweEntries.TryKey("atmos_core-root%2Fterraform"));
        Assert.Equal("100%/%", JweEntries.TryKey("100%25%2F%25"));
        Assert.Equal("keyring.json", JweEntries.TryKey("keyring.json"));
        Assert.Null(JweEntries.TryKey("atmos_a%2fb"));
        Assert.Null(JweEntries.TryKey("50%"));
        Assert.Null(JweEntries.TryKey("%41"));
        Assert.Null(JweEntries.TryKey("%FF"));
        Assert.Null(JweEntries.TryKey(string.Empty));
    }

    [Fact]
    public void Only_a_pbes2_jwe_header_is_recognised()
    {
        Assert.True(JweEntries.IsJwe(System.Text.Encoding.ASCII.GetBytes(Atmos.Files["atmos_dev-admin"])));
        Assert.False(JweEntries.IsJwe("AKR1....."u8));
        Assert.False(JweEntries.IsJwe("{}"u8));
        Assert.False(JweEntries.IsJwe("eyJhbGciOiJIUzI1NiJ9.e30.sig"u8)); // a signed JWT: {"alg":"HS256"}
        Assert.False(JweEntries.IsJwe("not base64!.x.y.z.w"u8));
        Assert.False(JweEntries.IsJwe(ReadOnlySpan<byte>.Empty));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private SortedDictionary<string, string> Snapshot() =>
        new(
            new DirectoryInfo(Folder).EnumerateFileSystemInfos()
                .ToDictionary(
                    info => info.Name,
                    info => info switch
                    {
                        { LinkTarget: { } target } => "link to " + target,
                        FileInfo { Length: > 0 } file when !file.Name.EndsWith("fifo", StringComparison.Ordinal) => Convert.ToHexString(File.ReadAllBytes(file.FullName)) + "@" + file.LastWriteTimeUtc.Ticks,
                        _ => info.GetType().Name,
                    }),
            StringComparer.Ordinal);
}
