using System.Text.Json;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Keyring;

/// <summary>Reads the JSON envelope atmos stores in keyring entries: <c>{"type":"aws|azure|gcp|oidc","data":{...}}</c>.</summary>
public static class KeyringEnvelope
{
    /// <summary>
    /// The entry as a plugin sees it. A value that is not an envelope (written by another client), or one that cannot
    /// be read at all (null: see <see cref="IKeyring.GetManyAsync"/>), gives a null
    /// <see cref="KeyringEntry.EnvelopeType"/> and no fields; the plugin then classifies by kind alone.
    /// </summary>
    /// <param name="name">The entry name.</param>
    /// <param name="kind">The kind of the identity or provider of that name.</param>
    /// <param name="secret">The stored value, or null when it exists but cannot be read.</param>
    public static KeyringEntry Parse(string name, string kind, string? secret)
    {
        if (secret is null)
        {
            return new KeyringEntry(name, kind, null, new Dictionary<string, string?>());
        }

        try
        {
            using var document = JsonDocument.Parse(secret);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var property in data.EnumerateObject())
                {
                    fields[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => property.Value.GetRawText(),
                    };
                }

                return new KeyringEntry(name, kind, type.GetString(), fields);
            }
        }
        catch (JsonException)
        {
            // Not JSON: a value written by another client. Classified by kind.
        }

        return new KeyringEntry(name, kind, null, new Dictionary<string, string?>());
    }
}
