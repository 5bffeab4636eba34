using System.Diagnostics;
using System.Runtime.Versioning;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Engine.Keyring.Linux;
using Atmos.Plugins.Keyring.Tests.Infrastructure;
using Atmos.Plugins.Tests.Support;
using Tmds.DBus.Protocol;
using Xunit.Abstractions;

namespace Atmos.Plugins.Keyring.Tests.SecretService;

/// <summary>The Secret Service keyring against a real, private gnome-keyring-daemon, checked with secret-tool.</summary>
[SupportedOSPlatform("linux")]
public sealed class SecretServiceKeyringTests(ITestOutputHelper output)
{
    private const string User = "atmos-auth";

    [SecretServiceFact]
    public async Task Items_stored_by_secret_tool_are_listed_read_and_removed()
    {
        await using var service = await PrivateSecretService.StartAsync();
        await StoreAsync(service, "dev-admin", User, """{"type":"aws","data":{"token":"t1"}}""");
        await StoreAsync(service, "aws-sso", User, """{"type":"aws","data":{"token":"t2"}}""");
        await StoreAsync(service, "dev-admin", "someone-else", "keep-me-1");
        using var keyring = new SecretServiceKeyring(service.Address);

        Assert.Equal(["aws-sso", "dev-admin"], await keyring.ListAsync(CancellationToken.None));
        var secrets = await keyring.GetManyAsync(["dev-admin", "aws-sso", "never-stored"], CancellationToken.None);
        Assert.Equal(2, secrets.Count);
        Assert.Equal("""{"type":"aws","data":{"token":"t1"}}""", secrets["dev-admin"]);
        Assert.Equal("""{"type":"aws","data":{"token":"t2"}}""", secrets["aws-sso"]);

        Assert.True(await keyring.RemoveAsync("dev-admin", CancellationToken.None));

        var lookup = await service.SecretToolAsync(null, "lookup", "service", "dev-admin", "username", User);
        Assert.Equal(1, lookup.ExitCode);
        Assert.Equal(string.Empty, lookup.StandardOutput);
        Assert.Equal("keep-me-1", (await service.SecretToolAsync(null, "lookup", "service", "dev-admin", "username", "someone-else")).StandardOutput);
        Assert.Equal("""{"type":"aws","data":{"token":"t2"}}""", (await service.SecretToolAsync(null, "lookup", "service", "aws-sso", "username", User)).StandardOutput);
        Assert.Equal(["aws-sso"], await keyring.ListAsync(CancellationToken.None));
    }

    [SecretServiceFact]
    public async Task Items_as_atmos_stores_them_are_found_under_every_key_form_in_one_batch_and_removed()
    {
        await using var service = await PrivateSecretService.StartAsync();
        // What go-keyring's Set (and so atmos v1.206+) leaves: label, attributes, a plain UTF-8 value.
        await GoKeyringStoreAsync(service, "atmos_aws-sso", """{"type":"aws","data":{"access_key_id":"sso-token"}}""");
        await GoKeyringStoreAsync(service, "atmos_prod_dev-admin", """{"type":"aws","data":{"access_key_id":"AKIA"}}""");
        await GoKeyringStoreAsync(service, "dev-admin", """{"type":"aws","data":{"legacy":true}}""");
        await StoreAsync(service, "atmos_dev-admin", "someone-else", "keep-me");
        using var keyring = new SecretServiceKeyring(service.Address);
        await keyring.SetAsync("atmos_dev-org-admin", """{"type":"aws","data":{"ours":true}}""", CancellationToken.None);
        string[] forms =
        [
            "aws-sso", "atmos_aws-sso", "atmos_prod_aws-sso",
            "dev-org-admin", "atmos_dev-org-admin", "atmos_prod_dev-org-admin",
            "dev-admin", "atmos_dev-admin", "atmos_prod_dev-admin", "Dev-Admin", "atmos_Dev-Admin", "atmos_prod_Dev-Admin",
        ];

        var listed = await keyring.ListAsync(CancellationToken.None);
        var read = await keyring.GetManyAsync(forms, CancellationToken.None);

        Assert.Equal(["atmos_aws-sso", "atmos_dev-org-admin", "atmos_prod_dev-admin", "dev-admin"], listed);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["atmos_aws-sso"] = """{"type":"aws","data":{"access_key_id":"sso-token"}}""",
                ["atmos_dev-org-admin"] = """{"type":"aws","data":{"ours":true}}""",
                ["atmos_prod_dev-admin"] = """{"type":"aws","data":{"access_key_id":"AKIA"}}""",
                ["dev-admin"] = """{"type":"aws","data":{"legacy":true}}""",
            },
            read);
        Assert.Contains($"label = {SecretServiceKeyring.Label("atmos_dev-org-admin")}", (await service.SecretToolAsync(null, "search", "service", "atmos_dev-org-admin", "username", User)).StandardOutput, StringComparison.Ordinal);
        foreach (var name in listed)
        {
            Assert.True(await keyring.RemoveAsync(name, CancellationToken.None));
        }

        Assert.Empty(await keyring.ListAsync(CancellationToken.None));
        Assert.Equal("keep-me", (await service.SecretToolAsync(null, "lookup", "service", "atmos_dev-admin", "username", "someone-else")).StandardOutput);
    }

    [SecretServiceFact]
    public async Task Items_in_the_login_collection_are_found_when_the_default_alias_points_elsewhere()
    {
        await using var service = await PrivateSecretService.StartAsync(SecretServiceState.DefaultIsNotLogin);
        // go-keyring stores into "login" whenever it exists; another client (secret-tool) into the default alias.
        await GoKeyringStoreAsync(service, "atmos_dev-admin", """{"type":"aws","data":{"in":"login"}}""", "--collection=" + SecretServiceClient.LoginCollectionPath);
        await GoKeyringStoreAsync(service, "atmos_dev-admin", """{"type":"aws","data":{"in":"other"}}""");
        await GoKeyringStoreAsync(service, "atmos_aws-sso", """{"type":"aws","data":{"in":"other"}}""");
        using var keyring = new SecretServiceKeyring(service.Address);
        Assert.Equal("/org/freedesktop/secrets/collection/other", await ReadDefaultAliasAsync(service));

        Assert.Equal(["atmos_aws-sso", "atmos_dev-admin"], await keyring.ListAsync(CancellationToken.None));
        var read = await keyring.GetManyAsync(["atmos_dev-admin", "atmos_aws-sso"], CancellationToken.None);
        Assert.Equal("""{"type":"aws","data":{"in":"other"}}""", read["atmos_aws-sso"]);
        Assert.Contains(read["atmos_dev-admin"], new[] { """{"type":"aws","data":{"in":"login"}}""", """{"type":"aws","data":{"in":"other"}}""" });

        Assert.True(await keyring.RemoveAsync("atmos_dev-admin", CancellationToken.None));
        Assert.Equal(1, (await service.SecretToolAsync(null, "lookup", "service", "atmos_dev-admin", "username", User)).ExitCode);
        Assert.Empty(await SearchAsync(service, "atmos_dev-admin", SecretServiceClient.LoginCollectionPath));

        await keyring.SetAsync("atmos_new", "{}", CancellationToken.None);
        Assert.Single(await SearchAsync(service, "atmos_new", SecretServiceClient.LoginCollectionPath));
    }

    [SecretServiceFact]
    public async Task A_few_names_among_many_items_are_searched_by_name_and_the_newest_duplicate_wins()
    {
        await using var service = await PrivateSecretService.StartAsync();
        using var keyring = new SecretServiceKeyring(service.Address);
        for (var i = 0; i < 12; i++)
        {
            await keyring.SetAsync($"atmos_identity-{i:D2}", Envelope($"identity-{i:D2}"), CancellationToken.None);
        }

        // A second item of the same name (an extra attribute makes it distinct), written later: it wins.
        await Task.Delay(1100); // Modified has a resolution of one second
        Assert.Equal(0, (await service.SecretToolAsync(Envelope("newer"), "store", "--label=dup", "service", "atmos_identity-03", "username", User, "note", "newer")).ExitCode);

        var read = await keyring.GetManyAsync(["atmos_identity-03", "atmos_identity-07", "identity-07", "atmos_prod_identity-07"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string?> { ["atmos_identity-03"] = Envelope("newer"), ["atmos_identity-07"] = Envelope("identity-07") }, read);
    }

    [SecretServiceFact]
    public async Task The_shared_round_trip_holds()
    {
        await using var service = await PrivateSecretService.StartAsync();
        using var keyring = new SecretServiceKeyring(service.Address);

        await KeyringConformance.RoundTripAsync(keyring, "dev-admin");
    }

    [SecretServiceFact]
    public async Task Items_we_set_are_found_by_secret_tool_with_the_exact_value()
    {
        await using var service = await PrivateSecretService.StartAsync();
        using var keyring = new SecretServiceKeyring(service.Address);
        const string first = """{"type":"oidc","data":{"token":"ä ö ü \" \\ 🔑"}}""";
        const string second = """{"type":"oidc","data":{"token":"replaced"}}""";

        await keyring.SetAsync("dev-admin", first, CancellationToken.None);
        var lookup = await service.SecretToolAsync(null, "lookup", "service", "dev-admin", "username", User);
        Assert.Equal(0, lookup.ExitCode);
        Assert.Equal(first, lookup.StandardOutput);

        await keyring.SetAsync("dev-admin", second, CancellationToken.None);
        Assert.Equal(second, (await service.SecretToolAsync(null, "lookup", "service", "dev-admin", "username", User)).StandardOutput);
        Assert.Single(await SearchAsync(service, "dev-admin"));

        var search = await service.SecretToolAsync(null, "search", "service", "dev-admin", "username", User);
        Assert.Contains("label = Password for 'atmos-auth' on 'dev-admin'", search.StandardOutput, StringComparison.Ordinal);
    }

    [SecretServiceFact]
    public async Task Removing_a_missing_entry_returns_false_and_keeps_other_items()
    {
        await using var service = await PrivateSecretService.StartAsync();
        await StoreAsync(service, "other-service", User, "keep-me-2");
        await StoreAsync(service, "dev-admin", "someone-else", "keep-me-3");
        using var keyring = new SecretServiceKeyring(service.Address);

        Assert.False(await keyring.RemoveAsync("dev-admin", CancellationToken.None));

        Assert.Equal("keep-me-2", (await service.SecretToolAsync(null, "lookup", "service", "other-service", "username", User)).StandardOutput);
        Assert.Equal("keep-me-3", (await service.SecretToolAsync(null, "lookup", "service", "dev-admin", "username", "someone-else")).StandardOutput);
    }

    [SecretServiceFact]
    public async Task Duplicates_are_all_removed()
    {
        await using var service = await PrivateSecretService.StartAsync();

        // Items with an extra attribute are distinct items that still match service + username.
        Assert.Equal(0, (await service.SecretToolAsync("one", "store", "--label=a", "service", "dup", "username", User)).ExitCode);
        Assert.Equal(0, (await service.SecretToolAsync("two", "store", "--label=b", "service", "dup", "username", User, "note", "b")).ExitCode);
        Assert.Equal(0, (await service.SecretToolAsync("three", "store", "--label=c", "service", "dup", "username", User, "note", "c")).ExitCode);
        Assert.Equal(3, (await SearchAsync(service, "dup")).Length);
        using var keyring = new SecretServiceKeyring(service.Address);

        Assert.Equal(["dup"], await keyring.ListAsync(CancellationToken.None));
        Assert.True(await keyring.RemoveAsync("dup", CancellationToken.None));

        Assert.Empty(await SearchAsync(service, "dup"));
        Assert.Equal(1, (await service.SecretToolAsync(null, "lookup", "service", "dup", "username", User)).ExitCode);
        Assert.False(await keyring.RemoveAsync("dup", CancellationToken.None));
    }

    [SecretServiceFact]
    public async Task Two_hundred_entries_are_read_in_one_batch()
    {
        await using var service = await PrivateSecretService.StartAsync();
        using var keyring = new SecretServiceKeyring(service.Address);
        var names = Enumerable.Range(0, 200).Select(i => $"identity-{i:D3}").ToList();
        var clock = Stopwatch.StartNew();
        foreach (var name in names)
        {
            await keyring.SetAsync(name, Envelope(name), CancellationToken.None);
        }

        var setTime = clock.Elapsed;
        clock.Restart();
        var secrets = await keyring.GetManyAsync([.. names, "missing"], CancellationToken.None);
        var getTime = clock.Elapsed;
        clock.Restart();
        var listed = await keyring.ListAsync(CancellationToken.None);
        var listTime = clock.Elapsed;
        output.WriteLine($"200 x Set: {setTime.TotalMilliseconds:0} ms; GetMany(201): {getTime.TotalMilliseconds:0} ms; List: {listTime.TotalMilliseconds:0} ms");

        Assert.Equal(200, secrets.Count);
        Assert.All(names, name => Assert.Equal(Envelope(name), secrets[name]));
        Assert.Equal(names, listed);
    }

    [SecretServiceTheory]
    [InlineData(SecretServiceState.NoLoginCollection, "the Secret Service has no default (login) collection")]
    [InlineData(SecretServiceState.Locked, "keyring is locked")]
    [InlineData(SecretServiceState.NoService, "no Secret Service on the D-Bus session bus (org.freedesktop.secrets)")]
    public async Task An_unusable_secret_service_fails_with_its_reason_within_the_timeout_then_fast(SecretServiceState state, string reason)
    {
        await using var service = await PrivateSecretService.StartAsync(state);
        using var inner = new SecretServiceKeyring(service.Address);
        var keyring = new BoundedKeyring(inner, TimeSpan.FromSeconds(3));

        var first = await AssertUnavailableWithinAsync(() => keyring.GetManyAsync(["dev-admin"], CancellationToken.None), TimeSpan.FromSeconds(3));
        var remove = await AssertUnavailableWithinAsync(() => keyring.RemoveAsync("dev-admin", CancellationToken.None), TimeSpan.FromMilliseconds(100));
        var set = await AssertUnavailableWithinAsync(() => keyring.SetAsync("dev-admin", "secret-value", CancellationToken.None), TimeSpan.FromMilliseconds(100));

        Assert.Equal(reason, first.Reason);
        Assert.EndsWith("or set auth.keyring.type: file", first.Fix, StringComparison.Ordinal);
        Assert.Equal((first.Reason, first.Fix), (remove.Reason, remove.Fix));
        Assert.Equal((first.Reason, first.Fix), (set.Reason, set.Fix));
        Assert.DoesNotContain("secret-value", set.ToString(), StringComparison.Ordinal);
    }

    [SecretServiceFact]
    public async Task A_locked_collection_is_reported_as_locked_without_a_prompt_and_stays_locked()
    {
        await using var service = await PrivateSecretService.StartAsync(SecretServiceState.Locked);
        using var keyring = new SecretServiceKeyring(service.Address);

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));

        Assert.Equal("unlock it (gnome-keyring-daemon --unlock) or set auth.keyring.type: file", error.Fix);
        Assert.True(await IsDefaultCollectionLockedAsync(service));
    }

    [SecretServiceFact]
    public async Task A_missing_login_collection_says_how_to_create_it()
    {
        await using var service = await PrivateSecretService.StartAsync(SecretServiceState.NoLoginCollection);
        using var keyring = new SecretServiceKeyring(service.Address);

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));

        Assert.Equal(
            "create it by starting gnome-keyring-daemon with --unlock (or log in to a desktop session once), or set auth.keyring.type: file",
            error.Fix);
    }

    [SecretServiceFact]
    public async Task Each_operation_on_a_locked_collection_fails_as_locked()
    {
        await using var service = await PrivateSecretService.StartAsync(SecretServiceState.Locked);
        using var keyring = new SecretServiceKeyring(service.Address);

        Assert.Equal("keyring is locked", (await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None))).Reason);
        Assert.Equal("keyring is locked", (await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.RemoveAsync("x", CancellationToken.None))).Reason);
        Assert.Equal("keyring is locked", (await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("x", "{}", CancellationToken.None))).Reason);
        Assert.True(await IsDefaultCollectionLockedAsync(service));
    }

    [SecretServiceFact]
    public async Task A_hung_secret_service_times_out_and_later_calls_fail_fast()
    {
        await using var service = await PrivateSecretService.StartAsync();
        using var inner = new SecretServiceKeyring(service.Address);
        var keyring = new BoundedKeyring(inner, TimeSpan.FromSeconds(1));
        await keyring.SetAsync("dev-admin", "{}", CancellationToken.None);
        await service.FreezeDaemonAsync();

        var error = await AssertUnavailableWithinAsync(() => keyring.GetManyAsync(["dev-admin"], CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.Equal("keyring did not answer within 1 s", error.Reason);
        var again = await AssertUnavailableWithinAsync(() => keyring.RemoveAsync("dev-admin", CancellationToken.None), TimeSpan.FromMilliseconds(100));
        Assert.Equal(error.Reason, again.Reason);
    }

    [Fact]
    public async Task No_bus_is_reported_as_unavailable_within_the_timeout()
    {
        using var inner = new SecretServiceKeyring("unix:path=/nonexistent");
        var keyring = new BoundedKeyring(inner, TimeSpan.FromSeconds(3));

        var error = await AssertUnavailableWithinAsync(() => keyring.ListAsync(CancellationToken.None), TimeSpan.FromSeconds(3));

        Assert.Equal("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)", error.Reason);
        Assert.Equal(SecretServiceErrors.NoBusFix, error.Fix);
        var again = await AssertUnavailableWithinAsync(() => keyring.SetAsync("dev-admin", "secret-value", CancellationToken.None), TimeSpan.FromMilliseconds(100));
        Assert.Equal(error.Reason, again.Reason);
        Assert.DoesNotContain("secret-value", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_bus_address_means_no_bus()
    {
        using var keyring = new SecretServiceKeyring(string.Empty);

        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.GetManyAsync(["x"], CancellationToken.None));

        Assert.Equal("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)", error.Reason);
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_call()
    {
        using var keyring = new SecretServiceKeyring("unix:path=/nonexistent");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keyring.ListAsync(cancelled.Token));
    }

    private static string Envelope(string name) => "{\"type\":\"aws\",\"data\":{\"n\":\"" + name + "\"}}";

    private static async Task<KeyringUnavailableException> AssertUnavailableWithinAsync(Func<Task> call, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(call);
        Assert.True(clock.Elapsed < limit + TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed.TotalMilliseconds:0} ms, limit {limit.TotalMilliseconds:0} ms");
        return error;
    }

    private static async Task StoreAsync(PrivateSecretService service, string name, string user, string secret)
    {
        var result = await service.SecretToolAsync(secret, "store", "--label=seeded " + name, "service", name, "username", user);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    // As go-keyring's Set stores an item: its label, service and username, the value as UTF-8 text.
    private static async Task GoKeyringStoreAsync(PrivateSecretService service, string name, string secret, params string[] options)
    {
        var result = await service.SecretToolAsync(secret, ["store", $"--label=Password for '{User}' on '{name}'", .. options, "service", name, "username", User]);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    // Independent of the keyring under test: a raw connection and the Secret Service's own search.
    private static async Task<string[]> SearchAsync(PrivateSecretService service, string name, string collection = SecretServiceClient.DefaultCollectionPath)
    {
        using var connection = new DBusConnection(service.Address);
        await connection.ConnectAsync();
        return await new SecretServiceClient(connection).SearchItemsAsync(
            collection,
            new Dictionary<string, string> { ["service"] = name, ["username"] = User });
    }

    private static async Task<string> ReadDefaultAliasAsync(PrivateSecretService service)
    {
        using var connection = new DBusConnection(service.Address);
        await connection.ConnectAsync();
        return await new SecretServiceClient(connection).ReadAliasAsync("default");
    }

    private static async Task<bool> IsDefaultCollectionLockedAsync(PrivateSecretService service)
    {
        var result = await service.RunOnBusAsync(
            "dbus-send",
            null,
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/aliases/default",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked");
        Assert.Equal(0, result.ExitCode);
        return result.StandardOutput.Contains("boolean true", StringComparison.Ordinal);
    }
}
