using Tmds.DBus.Protocol;

namespace Atmos.Plugins.Engine.Keyring.Linux;

/// <summary>One Secret Service item as a search and a property read describe it.</summary>
/// <param name="Path">The item's object path.</param>
/// <param name="Attributes">Its lookup attributes.</param>
/// <param name="Modified">When it was last changed (seconds since the epoch), to pick the newest of duplicates.</param>
internal sealed record SecretServiceItem(string Path, IReadOnlyDictionary<string, string> Attributes, ulong Modified);

/// <summary>
/// The few calls of the freedesktop Secret Service API (org.freedesktop.Secret.*) that the keyring needs, over one
/// D-Bus connection. Every method is one method call; none ever calls <c>Prompt.Prompt</c>, so nothing interactive
/// can appear.
/// </summary>
internal sealed class SecretServiceClient
{
    /// <summary>The well-known bus name of the Secret Service.</summary>
    public const string BusName = "org.freedesktop.secrets";

    /// <summary>The service object.</summary>
    public const string ServicePath = "/org/freedesktop/secrets";

    /// <summary>The collection behind the <c>default</c> alias (the <c>login</c> keyring on GNOME).</summary>
    public const string DefaultCollectionPath = "/org/freedesktop/secrets/aliases/default";

    /// <summary>The <c>login</c> collection, where go-keyring (and so atmos) stores items whenever it exists.</summary>
    public const string LoginCollectionPath = "/org/freedesktop/secrets/collection/login";

    /// <summary>The object path the API uses for "no object" (no prompt needed, no alias).</summary>
    public const string NoObject = "/";

    private const string ServiceInterface = "org.freedesktop.Secret.Service";
    private const string CollectionInterface = "org.freedesktop.Secret.Collection";
    private const string ItemInterface = "org.freedesktop.Secret.Item";
    private const string PromptInterface = "org.freedesktop.Secret.Prompt";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private const string SecretSignature = "(oayays)";

    private readonly DBusConnection _connection;

    /// <summary>Wraps a connected connection.</summary>
    /// <param name="connection">The session bus connection.</param>
    public SecretServiceClient(DBusConnection connection) => _connection = connection;

    /// <summary>Reads a collection's <c>Locked</c> property.</summary>
    /// <param name="collection">The collection's object path.</param>
    public Task<bool> IsLockedAsync(string collection) =>
        _connection.CallMethodAsync(
            Message(collection, PropertiesInterface, "Get", "ss", "Locked", static (ref MessageWriter writer, string property) =>
            {
                writer.WriteString(CollectionInterface);
                writer.WriteString(property);
            }),
            static (m, _) => m.GetBodyReader().ReadVariantValue().GetBool(),
            null);

    /// <summary>The collection an alias points to, or <see cref="NoObject"/> when it points nowhere.</summary>
    /// <param name="alias">The alias, such as <c>default</c>.</param>
    public Task<string> ReadAliasAsync(string alias) =>
        _connection.CallMethodAsync(
            Message(ServicePath, ServiceInterface, "ReadAlias", "s", alias, static (ref MessageWriter writer, string name) => writer.WriteString(name)),
            static (m, _) => m.GetBodyReader().ReadObjectPathAsString(),
            null);

    /// <summary>
    /// Asks the service to unlock objects. Returns the prompt path, or <see cref="NoObject"/> when they were unlocked
    /// without one. The prompt is never shown by this call; the caller dismisses it.
    /// </summary>
    /// <param name="paths">The objects to unlock.</param>
    public Task<string> UnlockAsync(IReadOnlyList<string> paths) =>
        _connection.CallMethodAsync(
            Message(ServicePath, ServiceInterface, "Unlock", "ao", paths, WriteObjectPaths),
            static (m, _) =>
            {
                var reader = m.GetBodyReader();
                reader.ReadArrayOfObjectPath();
                return reader.ReadObjectPathAsString();
            },
            null);

    /// <summary>Dismisses a prompt the service created, so it never appears.</summary>
    /// <param name="prompt">The prompt's object path.</param>
    public Task DismissAsync(string prompt) =>
        _connection.CallMethodAsync(Message(prompt, PromptInterface, "Dismiss", null, 0, static (ref MessageWriter _, int _) => { }));

    /// <summary>Finds the items of a collection whose attributes include all of <paramref name="attributes"/>.</summary>
    /// <param name="collection">The collection's object path.</param>
    /// <param name="attributes">The attributes to match.</param>
    public Task<string[]> SearchItemsAsync(string collection, IReadOnlyDictionary<string, string> attributes) =>
        _connection.CallMethodAsync(
            Message(collection, CollectionInterface, "SearchItems", "a{ss}", attributes, WriteStringDictionary),
            static (m, _) => ReadObjectPaths(m.GetBodyReader()),
            null);

    /// <summary>Reads an item's attributes and modification time in one call.</summary>
    /// <param name="item">The item's object path.</param>
    public Task<SecretServiceItem> GetItemAsync(string item) =>
        _connection.CallMethodAsync(
            Message(item, PropertiesInterface, "GetAll", "s", ItemInterface, static (ref MessageWriter writer, string name) => writer.WriteString(name)),
            static (m, state) => ReadItem(m.GetBodyReader(), (string)state!),
            item);

    /// <summary>Opens a session with the <c>plain</c> algorithm (the secret travels unencrypted over the local bus).</summary>
    /// <returns>The session's object path.</returns>
    public Task<string> OpenPlainSessionAsync() =>
        _connection.CallMethodAsync(
            Message(ServicePath, ServiceInterface, "OpenSession", "sv", "plain", static (ref MessageWriter writer, string algorithm) =>
            {
                writer.WriteString(algorithm);
                writer.WriteVariantString(string.Empty);
            }),
            static (m, _) =>
            {
                var reader = m.GetBodyReader();
                reader.ReadVariantValue();
                return reader.ReadObjectPathAsString();
            },
            null);

    /// <summary>Reads the secrets of several items in one call.</summary>
    /// <param name="items">The items' object paths.</param>
    /// <param name="session">A session from <see cref="OpenPlainSessionAsync"/>.</param>
    /// <returns>Item path to secret bytes; the caller clears them after use.</returns>
    public Task<Dictionary<string, byte[]>> GetSecretsAsync(IReadOnlyList<string> items, string session) =>
        _connection.CallMethodAsync(
            Message(ServicePath, ServiceInterface, "GetSecrets", "aoo", (items, session), static (ref MessageWriter writer, (IReadOnlyList<string> Items, string Session) call) =>
            {
                WriteObjectPaths(ref writer, call.Items);
                writer.WriteObjectPath(call.Session);
            }),
            static (m, _) => ReadSecrets(m.GetBodyReader()),
            null);

    /// <summary>Deletes an item. Returns the prompt path, or <see cref="NoObject"/> when it was deleted.</summary>
    /// <param name="item">The item's object path.</param>
    public Task<string> DeleteItemAsync(string item) =>
        _connection.CallMethodAsync(
            Message(item, ItemInterface, "Delete", null, 0, static (ref MessageWriter _, int _) => { }),
            static (m, _) => m.GetBodyReader().ReadObjectPathAsString(),
            null);

    /// <summary>Creates an item, replacing one with exactly the same attributes.</summary>
    /// <param name="collection">The collection's object path.</param>
    /// <param name="label">The label shown by keyring managers.</param>
    /// <param name="attributes">The lookup attributes.</param>
    /// <param name="session">A session from <see cref="OpenPlainSessionAsync"/>.</param>
    /// <param name="secret">The secret bytes; copied into the message before this returns.</param>
    /// <param name="contentType">The secret's content type.</param>
    /// <returns>The prompt path, or <see cref="NoObject"/> when the item was stored.</returns>
    public Task<string> CreateItemAsync(
        string collection,
        string label,
        IReadOnlyDictionary<string, string> attributes,
        string session,
        byte[] secret,
        string contentType) =>
        _connection.CallMethodAsync(
            Message(
                collection,
                CollectionInterface,
                "CreateItem",
                "a{sv}" + SecretSignature + "b",
                new NewItem(label, attributes, session, secret, contentType),
                static (ref MessageWriter writer, NewItem item) =>
                {
                    WriteItemProperties(ref writer, item.Label, item.Attributes);
                    WriteSecret(ref writer, item.Session, item.Secret, item.ContentType);
                    writer.WriteBool(true);
                }),
            static (m, _) =>
            {
                var reader = m.GetBodyReader();
                reader.ReadObjectPathAsString();
                return reader.ReadObjectPathAsString();
            },
            null);

    // Builds one method call to the Secret Service. The writer is a ref struct, so the body is written by a delegate
    // that takes it by ref, with its inputs passed as state instead of captured.
    private MessageBuffer Message<TState>(string path, string @interface, string member, string? signature, TState state, WriteBody<TState> body)
    {
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(BusName, path, @interface, member, signature);
            body(ref writer, state);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private delegate void WriteBody<in TState>(ref MessageWriter writer, TState state);

    private static void WriteStringDictionary(ref MessageWriter writer, IReadOnlyDictionary<string, string> values)
    {
        var start = writer.WriteDictionaryStart();
        foreach (var (key, value) in values)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(key);
            writer.WriteString(value);
        }

        writer.WriteDictionaryEnd(start);
    }

    private static void WriteObjectPaths(ref MessageWriter writer, IReadOnlyList<string> paths)
    {
        var start = writer.WriteArrayStart(DBusType.ObjectPath);
        foreach (var path in paths)
        {
            writer.WriteObjectPath(path);
        }

        writer.WriteArrayEnd(start);
    }

    // a{sv}: the Label and Attributes properties of the new item.
    private static void WriteItemProperties(ref MessageWriter writer, string label, IReadOnlyDictionary<string, string> attributes)
    {
        var start = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString(ItemInterface + ".Label");
        writer.WriteVariantString(label);
        writer.WriteDictionaryEntryStart();
        writer.WriteString(ItemInterface + ".Attributes");
        writer.WriteSignature("a{ss}");
        WriteStringDictionary(ref writer, attributes);
        writer.WriteDictionaryEnd(start);
    }

    // The Secret struct (oayays): session, algorithm parameters (none for plain), value, content type.
    private static void WriteSecret(ref MessageWriter writer, string session, byte[] secret, string contentType)
    {
        writer.WriteStructureStart();
        writer.WriteObjectPath(session);
        writer.WriteArray(ReadOnlySpan<byte>.Empty);
        writer.WriteArray(secret.AsSpan());
        writer.WriteString(contentType);
    }

    private static string[] ReadObjectPaths(Reader reader)
    {
        var paths = reader.ReadArrayOfObjectPath();
        var result = new string[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            result[i] = paths[i].ToString();
        }

        return result;
    }

    private static SecretServiceItem ReadItem(Reader reader, string path)
    {
        var properties = reader.ReadDictionaryOfStringToVariantValue();
        var attributes = properties.TryGetValue("Attributes", out var value)
            ? value.GetDictionary<string, string>()
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var modified = properties.TryGetValue("Modified", out var stamp) ? stamp.GetUInt64() : 0UL;
        return new SecretServiceItem(path, attributes, modified);
    }

    // a{o(oayays)}: item path to Secret struct.
    private static Dictionary<string, byte[]> ReadSecrets(Reader reader)
    {
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var item = reader.ReadObjectPathAsString();
            reader.AlignStruct();
            reader.ReadObjectPathAsString();
            reader.ReadArrayOfByte();
            secrets[item] = reader.ReadArrayOfByte();
            reader.ReadString();
        }

        return secrets;
    }

    private sealed record NewItem(string Label, IReadOnlyDictionary<string, string> Attributes, string Session, byte[] Secret, string ContentType);
}
