using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Files;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests.Files;

/// <summary>The encrypted file keyring for headless machines.</summary>
public sealed partial class FileKeyringTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private const string Secret = """{"type":"aws","data":{"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG"}}""";

    private readonly string _root = Directory.CreateTempSubdirectory("atmos-file-keyring-").FullName;

    private string Folder => Path.Combine(_root, "atmos", "keyring");

    [Fact]
    public async Task Entries_round_trip()
    {
        var keyring = new FileKeyring(Folder, Password);

        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);
        await keyring.SetAsync("aws-sso", """{"type":"aws","data":{}}""", CancellationToken.None);
        await keyring.SetAsync("aws-sso", """{"type":"aws","data":{"v":2}}""", CancellationToken.None);

        Assert.Equal("file", keyring.Backend);
        Assert.Equal(["aws-sso", "dev-admin"], await keyring.ListAsync(CancellationToken.None));
        Assert.Equal(
            new Dictionary<string, string?> { ["dev-admin"] = Secret, ["aws-sso"] = """{"type":"aws","data":{"v":2}}""" },
            await keyring.GetManyAsync(["dev-admin", "aws-sso", "never-stored"], CancellationToken.None));
        Assert.True(await keyring.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("never-stored", CancellationToken.None));
        Assert.Equal(["aws-sso"], await keyring.ListAsync(CancellationToken.None));
        Assert.Empty(await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
    }

    [Fact]
    public Task The_shared_round_trip_holds() => KeyringConformance.RoundTripAsync(new FileKeyring(Folder, Password), "dev-admin");

    [Fact]
    public async Task A_new_instance_with_the_same_password_reads_what_another_wrote()
    {
        await new FileKeyring(Folder, Password).SetAsync("dev-admin", Secret, CancellationToken.None);

        var secrets = await new FileKeyring(Folder, Password).GetManyAsync(["dev-admin"], CancellationToken.None);

        Assert.Equal(Secret, secrets["dev-admin"]);
    }

    [Fact]
    public async Task A_wrong_password_reads_no_value_writes_nothing_and_changes_no_file()
    {
        var original = new FileKeyring(Folder, Password);
        await original.SetAsync("dev-admin", Secret, CancellationToken.None);
        await original.SetAsync("aws-sso", Secret, CancellationToken.None);
        var before = Snapshot(Folder);
        var keyring = new FileKeyring(Folder, "not the password");

        var listed = await keyring.ListAsync(CancellationToken.None);
        var read = await keyring.GetManyAsync(["dev-admin", "aws-sso", "never-stored"], CancellationToken.None);
        var errors = new[]
        {
            await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("dev-admin", "overwritten", CancellationToken.None)),
            await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("new-entry", "created", CancellationToken.None)),
        };

        Assert.Equal(["aws-sso", "dev-admin"], listed);
        Assert.Equal(new Dictionary<string, string?> { ["dev-admin"] = null, ["aws-sso"] = null }, read);
        Assert.All(errors, error => Assert.Equal("wrong keyring password (ATMOS_KEYRING_PASSWORD)", error.Reason));
        Assert.All(errors, error => Assert.DoesNotContain("wJalrXUtnFEMI", error.ToString(), StringComparison.Ordinal));
        Assert.Equal(before, Snapshot(Folder));
    }

    [Fact]
    public async Task Removing_needs_no_password_as_with_atmos_s_own_file_keyring()
    {
        await new FileKeyring(Folder, Password).SetAsync("dev-admin", Secret, CancellationToken.None);

        Assert.True(await new FileKeyring(Folder, "not the password").RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(await new FileKeyring(Folder, null).RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(Folder, FileKeyring.EncodeFileName("dev-admin"))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_missing_password_names_the_variable_when_writing_and_creates_nothing(string? password)
    {
        var keyring = new FileKeyring(Folder, password);
        var named = new FileKeyring(Folder, password, "MY_KEYRING_PASSWORD");

        var set = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("dev-admin", Secret, CancellationToken.None));
        var setNamed = await Assert.ThrowsAsync<KeyringUnavailableException>(() => named.SetAsync("dev-admin", Secret, CancellationToken.None));

        Assert.Equal("no keyring password (ATMOS_KEYRING_PASSWORD is not set)", set.Reason);
        Assert.Contains("export ATMOS_KEYRING_PASSWORD", set.Fix, StringComparison.Ordinal);
        Assert.Equal("no keyring password (MY_KEYRING_PASSWORD is not set)", setNamed.Reason);
        Assert.Empty(await keyring.ListAsync(CancellationToken.None));
        Assert.Empty(await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public async Task Reading_a_keyring_that_does_not_exist_finds_nothing_and_creates_nothing()
    {
        var keyring = new FileKeyring(Folder, Password);

        Assert.Empty(await keyring.ListAsync(CancellationToken.None));
        Assert.Empty(await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(Directory.Exists(Folder));
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_folder_is_0700_and_the_files_are_0600()
    {
        var keyring = new FileKeyring(Folder, Password);

        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);

        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner | UnixFileMode.UserExecute, new DirectoryInfo(Folder).UnixFileMode);
        var files = Directory.GetFiles(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([FileKeyring.EncodeFileName("dev-admin"), FileKeyring.MetadataFileName], files);
        Assert.All(Directory.GetFiles(Folder), file => Assert.Equal(owner, File.GetUnixFileMode(file)));
    }

    [Fact]
    public async Task The_metadata_records_the_kdf_its_iterations_and_no_secret()
    {
        await new FileKeyring(Folder, Password).SetAsync("dev-admin", Secret, CancellationToken.None);

        var text = await File.ReadAllTextAsync(Path.Combine(Folder, FileKeyring.MetadataFileName));
        using var json = JsonDocument.Parse(text);

        Assert.Equal("pbkdf2-sha256", json.RootElement.GetProperty("kdf").GetString());
        Assert.Equal(310_000, json.RootElement.GetProperty("iterations").GetInt32());
        Assert.Equal(16, Convert.FromBase64String(json.RootElement.GetProperty("salt").GetString()!).Length);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        var entry = await File.ReadAllBytesAsync(Path.Combine(Folder, FileKeyring.EncodeFileName("dev-admin")));
        Assert.Equal(-1, entry.AsSpan().IndexOf("wJalrXUtnFEMI"u8));
    }

    [Fact]
    public async Task A_corrupted_entry_file_is_found_unreadable_and_can_still_be_removed()
    {
        var keyring = new FileKeyring(Folder, Password);
        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);
        var path = Path.Combine(Folder, FileKeyring.EncodeFileName("dev-admin"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var read = await keyring.GetManyAsync(["dev-admin"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string?> { ["dev-admin"] = null }, read);
        Assert.True(await keyring.RemoveAsync("dev-admin", CancellationToken.None));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task An_entry_file_copied_over_another_entry_does_not_decrypt()
    {
        var keyring = new FileKeyring(Folder, Password);
        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);
        await keyring.SetAsync("prod-admin", "other", CancellationToken.None);
        File.Copy(Path.Combine(Folder, FileKeyring.EncodeFileName("dev-admin")), Path.Combine(Folder, FileKeyring.EncodeFileName("prod-admin")), overwrite: true);

        var read = await keyring.GetManyAsync(["prod-admin", "dev-admin"], CancellationToken.None);

        Assert.Null(read["prod-admin"]);
        Assert.Equal(Secret, read["dev-admin"]);
    }

    [Fact]
    public async Task A_corrupted_metadata_file_leaves_values_unreadable_and_refuses_writes_naming_it()
    {
        var keyring = new FileKeyring(Folder, Password);
        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);
        var metadata = Path.Combine(Folder, FileKeyring.MetadataFileName);
        await File.WriteAllTextAsync(metadata, "{ not json");

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("aws-sso", Secret, CancellationToken.None));

        Assert.Equal($"keyring metadata {metadata} is corrupted", error.Reason);
        Assert.Equal(["dev-admin"], await keyring.ListAsync(CancellationToken.None));
        Assert.Equal(new Dictionary<string, string?> { ["dev-admin"] = null }, await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
        File.Delete(metadata);
        Assert.Equal(new Dictionary<string, string?> { ["dev-admin"] = null }, await keyring.GetManyAsync(["dev-admin"], CancellationToken.None));
    }

    [Fact]
    public async Task Names_with_odd_characters_become_safe_file_names_and_round_trip()
    {
        string[] names = ["a/b", "..", ".hidden", "with space", "ünï cödé 🔑", "UPPER", "upper", "c:\\x*?<>|\"", "tab\tnew\nline"];
        var keyring = new FileKeyring(Folder, Password);

        foreach (var name in names)
        {
            await keyring.SetAsync(name, "value of " + name, CancellationToken.None);
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), await keyring.ListAsync(CancellationToken.None));
        var secrets = await keyring.GetManyAsync(names, CancellationToken.None);
        Assert.All(names, name => Assert.Equal("value of " + name, secrets[name]));
        var entryFiles = Directory.GetFiles(Folder).Select(Path.GetFileName).Where(file => file != FileKeyring.MetadataFileName).ToList();
        Assert.Equal(names.Length, entryFiles.Count);
        Assert.All(entryFiles, file => Assert.Matches(HexEntryName(), file));
        Assert.Empty(Directory.GetDirectories(Folder));
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task Lock_and_temporary_files_in_the_folder_are_not_entries()
    {
        var keyring = new FileKeyring(Folder, Password);
        await keyring.SetAsync("dev-admin", Secret, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(Folder, FileKeyring.EncodeFileName("x") + ".lock"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(Folder, "." + FileKeyring.EncodeFileName("y") + ".0123.atmos-tmp"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(Folder, "ABCD.entry"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(Folder, "zz.entry"), string.Empty);

        Assert.Equal(["dev-admin"], await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_name_too_long_for_a_file_name_is_refused()
    {
        var keyring = new FileKeyring(Folder, Password);

        var error = await Assert.ThrowsAsync<KeyringOperationException>(() => keyring.SetAsync(new string('x', 101), Secret, CancellationToken.None));

        Assert.Equal("entry name is too long for the file keyring (101 bytes, at most 100)", error.Reason);
        await keyring.SetAsync(new string('x', 100), Secret, CancellationToken.None);
        Assert.Equal([new string('x', 100)], await keyring.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_key_is_derived_once_per_process()
    {
        var keys = new DerivedKeyCache();
        var first = new FileKeyring(Folder, Password, keys, KeyringCipher.DefaultIterations);
        var second = new FileKeyring(Folder, Password, keys, KeyringCipher.DefaultIterations);

        await first.SetAsync("a", "1", CancellationToken.None);
        await first.GetManyAsync(["a"], CancellationToken.None);
        await second.SetAsync("b", "2", CancellationToken.None);
        await second.ListAsync(CancellationToken.None);

        Assert.Equal(1, keys.Derivations);
    }

    [Fact]
    public void File_names_decode_back_to_entry_names_and_reject_other_files()
    {
        Assert.Equal("6465762d61646d696e.entry", FileKeyring.EncodeFileName("dev-admin"));
        Assert.Equal("dev-admin", FileKeyring.TryDecodeFileName("6465762d61646d696e.entry"));
        Assert.Null(FileKeyring.TryDecodeFileName("6465762d61646d696e.entry.lock"));
        Assert.Null(FileKeyring.TryDecodeFileName("6465762D61646D696E.entry"));
        Assert.Null(FileKeyring.TryDecodeFileName("646.entry"));
        Assert.Null(FileKeyring.TryDecodeFileName(".entry"));
        Assert.Null(FileKeyring.TryDecodeFileName("ff.entry"));
        Assert.Null(FileKeyring.TryDecodeFileName(FileKeyring.MetadataFileName));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(
            Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                .ToDictionary(path => path, path => Convert.ToHexString(File.ReadAllBytes(path)) + "@" + File.GetLastWriteTimeUtc(path).Ticks),
            StringComparer.Ordinal);

    [GeneratedRegex("^[0-9a-f]+\\.entry$")]
    private static partial Regex HexEntryName();
}
