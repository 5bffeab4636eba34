using System.Security.Cryptography;
using System.Text;
using Tmds.DBus.Protocol;

namespace Atmos.Plugins.Engine.Keyring.Linux;

/// <summary>
/// The Linux system keyring: the freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet's bridge) over the
/// D-Bus session bus, in managed code. Entries are items with the attributes <c>service=&lt;name&gt;</c> and
/// <c>username=atmos-auth</c>, the ones go-keyring (and so atmos) and <c>secret-tool</c> use, in the collections
/// go-keyring writes to: <c>login</c> when it exists, and the <c>default</c> alias (the same collection on most
/// desktops, searched once then).
/// </summary>
/// <remarks>
/// Never shows a prompt: a locked collection is reported as unavailable instead of asking the user to unlock it,
/// because logout must finish on its own (SPEC §4). One connection is opened on first use and reused.
/// </remarks>
public sealed class SecretServiceKeyring : IKeyring, IDisposable
{
    private const string ServiceAttribute = "service";
    private const string UserAttribute = "username";
    private const string ContentType = "application/json";

    // dbus-daemon limits the replies one connection may have pending (128 unless configured), so per-item calls are
    // pipelined in windows of this size: 200 items cost 4 round trips instead of 200.
    private const int MaxPendingCalls = 64;

    private static readonly Dictionary<string, string> UserOnly = new(StringComparer.Ordinal) { [UserAttribute] = IKeyring.User };

    private readonly string? _address;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private Bus? _bus;

    /// <summary>Creates the keyring; nothing is connected until the first call.</summary>
    /// <param name="busAddress">
    /// The session bus address; null reads <c>DBUS_SESSION_BUS_ADDRESS</c> on first use, empty means "no bus".
    /// </param>
    public SecretServiceKeyring(string? busAddress = null) => _address = busAddress;

    /// <inheritdoc />
    public string Backend => "secret-service";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>(
            async (bus, collections, ct) =>
            {
                var paths = await SearchAsync(bus.Client, collections, UserOnly, ct).ConfigureAwait(false);
                var items = await ReadItemsAsync(bus.Client, paths, ct).ConfigureAwait(false);
                return items
                    .Select(item => item.Attributes.GetValueOrDefault(ServiceAttribute))
                    .OfType<string>()
                    .Where(name => name.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <para>One search for all atmos items (<c>username=atmos-auth</c>, per collection, concurrently) tells how many
    /// there are; then whichever is fewer: the names asked for, each searched by <c>service</c> and <c>username</c>,
    /// or the items found, each one's attributes read. Either way the calls are pipelined (windows of 64), then one
    /// <c>GetSecrets</c> reads the values wanted. gnome-keyring reads an item's properties slowly in a large collection
    /// (1 000 items: 2.4 s for all, against 34 ms for 60 name searches), so a logout of one identity among many entries
    /// searches by name, while <c>--all</c> over a small keyring reads the few items.</para>
    /// <para>Of duplicates, the most recently modified wins.</para>
    /// </remarks>
    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>(StringComparer.Ordinal));
        }

        var wanted = names.ToHashSet(StringComparer.Ordinal);
        return RunAsync<IReadOnlyDictionary<string, string?>>(
            async (bus, collections, ct) =>
            {
                var all = await SearchAsync(bus.Client, collections, UserOnly, ct).ConfigureAwait(false);
                var chosen = all.Length == 0 ? []
                    : wanted.Count < all.Length ? await ChooseByNameAsync(bus.Client, collections, wanted, ct).ConfigureAwait(false)
                    : Newest(await ReadItemsAsync(bus.Client, all, ct).ConfigureAwait(false), wanted);
                var found = new Dictionary<string, string?>(StringComparer.Ordinal);
                if (chosen.Count == 0)
                {
                    return found;
                }

                var session = await bus.GetSessionAsync(ct).ConfigureAwait(false);
                var secrets = await bus.Client.GetSecretsAsync(chosen.Keys.ToList(), session).WaitAsync(ct).ConfigureAwait(false);
                foreach (var (path, bytes) in secrets)
                {
                    if (chosen.TryGetValue(path, out var name))
                    {
                        found[name] = Encoding.UTF8.GetString(bytes);
                    }

                    CryptographicOperations.ZeroMemory(bytes);
                }

                return found;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Deletes every item of the name, in every collection searched (duplicates included).</remarks>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RunAsync(
            async (bus, collections, ct) =>
            {
                var paths = await SearchAsync(bus.Client, collections, Attributes(name), ct).ConfigureAwait(false);
                if (paths.Length == 0)
                {
                    return false;
                }

                var prompts = await PipelineAsync(paths, path => DeleteAsync(bus.Client, path), ct).ConfigureAwait(false);
                var pending = prompts.Where(prompt => prompt is not null && prompt != SecretServiceClient.NoObject).Cast<string>().ToList();
                if (pending.Count > 0)
                {
                    await DismissAllAsync(bus.Client, pending).ConfigureAwait(false);
                    throw SecretServiceErrors.Locked();
                }

                return prompts.Any(prompt => prompt is not null);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Stores the item as go-keyring does: in <c>login</c> if it exists, else the default collection, with its label.</remarks>
    public Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(secret);
        return RunAsync(
            async (bus, collections, ct) =>
            {
                var session = await bus.GetSessionAsync(ct).ConfigureAwait(false);
                var bytes = Encoding.UTF8.GetBytes(secret);
                Task<string> create;
                try
                {
                    create = bus.Client.CreateItemAsync(collections[0], Label(name), Attributes(name), session, bytes, ContentType);
                }
                finally
                {
                    // The message buffer holds its own copy once the call is made.
                    CryptographicOperations.ZeroMemory(bytes);
                }

                var prompt = await create.WaitAsync(ct).ConfigureAwait(false);
                if (prompt != SecretServiceClient.NoObject)
                {
                    await DismissAllAsync(bus.Client, [prompt]).ConfigureAwait(false);
                    throw SecretServiceErrors.Locked();
                }

                return true;
            },
            cancellationToken);
    }

    /// <summary>Closes the bus connection.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _bus, null)?.Dispose();
        _connectGate.Dispose();
    }

    private static Dictionary<string, string> Attributes(string name) =>
        new(StringComparer.Ordinal) { [ServiceAttribute] = name, [UserAttribute] = IKeyring.User };

    // Item path to entry name: for each wanted name found, its newest item.
    private static Dictionary<string, string> Newest(IEnumerable<SecretServiceItem> items, IReadOnlySet<string> wanted) =>
        items
            .Where(item => item.Attributes.TryGetValue(ServiceAttribute, out var service) && wanted.Contains(service))
            .GroupBy(item => item.Attributes[ServiceAttribute], StringComparer.Ordinal)
            .ToDictionary(group => group.MaxBy(item => item.Modified)!.Path, group => group.Key, StringComparer.Ordinal);

    // The same, by one search per name; only the items of a name found more than once are read, for their age.
    private static async Task<Dictionary<string, string>> ChooseByNameAsync(
        SecretServiceClient client, IReadOnlyList<string> collections, IReadOnlySet<string> wanted, CancellationToken ct)
    {
        var names = wanted.ToList();
        // Each name costs one search per collection, all of them pending at once within a window.
        var found = await PipelineAsync(names, name => SearchAsync(client, collections, Attributes(name), ct), ct, MaxPendingCalls / collections.Count).ConfigureAwait(false);
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        var duplicated = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            if (found[i].Length == 1)
            {
                chosen[found[i][0]] = names[i];
            }
            else if (found[i].Length > 1)
            {
                duplicated.AddRange(found[i]);
            }
        }

        if (duplicated.Count > 0)
        {
            foreach (var (path, name) in Newest(await ReadItemsAsync(client, duplicated.ToArray(), ct).ConfigureAwait(false), wanted))
            {
                chosen[path] = name;
            }
        }

        return chosen;
    }

    /// <summary>The label go-keyring gives an item, which keyring managers show.</summary>
    /// <param name="name">The entry name.</param>
    internal static string Label(string name) => $"Password for '{IKeyring.User}' on '{name}'";

    // The item paths matching the attributes in every collection, each once (the default alias may be login itself).
    private static async Task<string[]> SearchAsync(SecretServiceClient client, IReadOnlyList<string> collections, IReadOnlyDictionary<string, string> attributes, CancellationToken ct)
    {
        var found = await Task.WhenAll(collections.Select(collection => client.SearchItemsAsync(collection, attributes))).WaitAsync(ct).ConfigureAwait(false);
        return found.SelectMany(paths => paths).Distinct(StringComparer.Ordinal).ToArray();
    }

    // The collections to use, go-keyring's first: login when it exists (go-keyring's choice), and the collection the
    // default alias points to when that is another one. Neither: there is no collection to use.
    private static async Task<IReadOnlyList<string>> FindCollectionsAsync(SecretServiceClient client, CancellationToken ct)
    {
        var alias = client.ReadAliasAsync("default");
        var login = IsLockedOrMissingAsync(client, SecretServiceClient.LoginCollectionPath);
        await Task.WhenAll(alias, login).WaitAsync(ct).ConfigureAwait(false);
        var collections = new List<string>(2);
        if (login.Result is not null)
        {
            collections.Add(SecretServiceClient.LoginCollectionPath);
        }

        if (alias.Result != SecretServiceClient.NoObject && alias.Result != SecretServiceClient.LoginCollectionPath)
        {
            collections.Add(alias.Result);
        }

        return collections.Count > 0 ? collections : throw SecretServiceErrors.NoCollection();
    }

    // The collection's Locked property, or null when there is no such collection.
    private static async Task<bool?> IsLockedOrMissingAsync(SecretServiceClient client, string collection)
    {
        try
        {
            return await client.IsLockedAsync(collection).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException error) when (IsVanished(error))
        {
            return null;
        }
    }

    private static bool IsVanished(DBusErrorReplyException error) =>
        error.ErrorName is "org.freedesktop.DBus.Error.UnknownObject" or "org.freedesktop.DBus.Error.UnknownMethod"
            or "org.freedesktop.Secret.Error.NoSuchObject";

    // Items can disappear between the search and the next call (another client removed them); they are skipped.
    private static async Task<IReadOnlyList<SecretServiceItem>> ReadItemsAsync(SecretServiceClient client, string[] paths, CancellationToken ct)
    {
        var reads = await PipelineAsync(paths, ReadOrVanished, ct).ConfigureAwait(false);
        return reads.OfType<SecretServiceItem>().ToList();

        async Task<SecretServiceItem?> ReadOrVanished(string path)
        {
            try
            {
                return await client.GetItemAsync(path).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException error) when (IsVanished(error))
            {
                return null;
            }
        }
    }

    private static async Task<TResult[]> PipelineAsync<TSource, TResult>(
        IReadOnlyList<TSource> sources, Func<TSource, Task<TResult>> call, CancellationToken ct, int windowSize = MaxPendingCalls)
    {
        var results = new TResult[sources.Count];
        for (var start = 0; start < sources.Count; start += windowSize)
        {
            var window = new Task<TResult>[Math.Min(windowSize, sources.Count - start)];
            for (var i = 0; i < window.Length; i++)
            {
                window[i] = call(sources[start + i]);
            }

            (await Task.WhenAll(window).WaitAsync(ct).ConfigureAwait(false)).CopyTo(results, start);
        }

        return results;
    }

    // Null when the item vanished before we deleted it.
    private static async Task<string?> DeleteAsync(SecretServiceClient client, string path)
    {
        try
        {
            return await client.DeleteItemAsync(path).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException error) when (IsVanished(error))
        {
            return null;
        }
    }

    private static async Task DismissAllAsync(SecretServiceClient client, IEnumerable<string> prompts)
    {
        foreach (var prompt in prompts)
        {
            try
            {
                await client.DismissAsync(prompt).ConfigureAwait(false);
            }
            catch (DBusExceptionBase)
            {
                // A prompt that is already gone shows nothing either.
            }
        }
    }

    private async Task<T> RunAsync<T>(Func<Bus, IReadOnlyList<string>, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bus = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var collections = await bus.GetCollectionsAsync(cancellationToken).ConfigureAwait(false);
            await EnsureUnlockedAsync(bus.Client, collections, cancellationToken).ConfigureAwait(false);
            return await operation(bus, collections, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (SecretServiceErrors.Map(error) is { } mapped)
        {
            if (mapped is KeyringUnavailableException)
            {
                // The next call starts with a fresh connection instead of reusing a broken one.
                Forget(bus);
            }

            throw mapped;
        }
        catch (KeyringUnavailableException)
        {
            Forget(bus);
            throw;
        }
    }

    // Unlock is asked for without ever calling Prompt.Prompt: if the service needs a prompt, the collections stay
    // locked, the prompt is dismissed and the keyring is reported as locked. Every collection searched must be
    // unlocked: a locked one could hold the entries, and "not found" would then be a lie.
    private static async Task EnsureUnlockedAsync(SecretServiceClient client, IReadOnlyList<string> collections, CancellationToken ct)
    {
        var locked = await LockedAsync(client, collections, ct).ConfigureAwait(false);
        if (locked.Count == 0)
        {
            return;
        }

        var prompt = await client.UnlockAsync(locked).WaitAsync(ct).ConfigureAwait(false);
        if (prompt != SecretServiceClient.NoObject)
        {
            await DismissAllAsync(client, [prompt]).ConfigureAwait(false);
            throw SecretServiceErrors.Locked();
        }

        if ((await LockedAsync(client, locked, ct).ConfigureAwait(false)).Count > 0)
        {
            throw SecretServiceErrors.Locked();
        }

        static async Task<List<string>> LockedAsync(SecretServiceClient client, IReadOnlyList<string> collections, CancellationToken ct)
        {
            var states = await Task.WhenAll(collections.Select(client.IsLockedAsync)).WaitAsync(ct).ConfigureAwait(false);
            return collections.Where((_, i) => states[i]).ToList();
        }
    }

    private async Task<Bus> ConnectAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _bus) is { IsConnected: true } current)
        {
            return current;
        }

        await _connectGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_bus is { IsConnected: true } existing)
            {
                return existing;
            }

            _bus?.Dispose();
            _bus = null;
            var address = _address ?? Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
            if (string.IsNullOrWhiteSpace(address))
            {
                throw SecretServiceErrors.NoBus();
            }

            var connection = new DBusConnection(address);
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                connection.Dispose();
                if (error is OperationCanceledException && ct.IsCancellationRequested)
                {
                    throw;
                }

                throw SecretServiceErrors.NoBus(error);
            }

            _bus = new Bus(connection);
            return _bus;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private void Forget(Bus bus)
    {
        if (Interlocked.CompareExchange(ref _bus, null, bus) == bus)
        {
            bus.Dispose();
        }
    }

    /// <summary>A connection with its client and, once needed, its plain session.</summary>
    private sealed class Bus : IDisposable
    {
        private readonly DBusConnection _connection;
        private readonly Task<Exception?> _disconnected;
        private readonly Lock _sessionLock = new();
        private Task<string>? _session;
        private Task<IReadOnlyList<string>>? _collections;

        public Bus(DBusConnection connection)
        {
            _connection = connection;
            _disconnected = connection.DisconnectedAsync();
            Client = new SecretServiceClient(connection);
        }

        public SecretServiceClient Client { get; }

        public bool IsConnected => !_disconnected.IsCompleted;

        // Which collections exist does not change under a running session in practice, so it is found once per
        // connection; a failed lookup is retried by the next call.
        public Task<IReadOnlyList<string>> GetCollectionsAsync(CancellationToken ct)
        {
            Task<IReadOnlyList<string>> collections;
            lock (_sessionLock)
            {
                if (_collections is null || _collections.IsFaulted || _collections.IsCanceled)
                {
                    _collections = FindCollectionsAsync(Client, CancellationToken.None);
                }

                collections = _collections;
            }

            return collections.WaitAsync(ct);
        }

        // A session lives as long as the connection, so one is opened per connection and shared by all calls.
        public Task<string> GetSessionAsync(CancellationToken ct)
        {
            Task<string> session;
            lock (_sessionLock)
            {
                if (_session is null || _session.IsFaulted || _session.IsCanceled)
                {
                    _session = Client.OpenPlainSessionAsync();
                }

                session = _session;
            }

            return session.WaitAsync(ct);
        }

        public void Dispose() => _connection.Dispose();
    }
}
