using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.PluginHost.Protocol;

/// <summary>
/// The contract's records as JSON, both ways: what crosses between atmos and a plugin's process is data, never an
/// object of the plugin's. Written with a bare <see cref="Utf8JsonWriter"/> and read from a <see cref="JsonElement"/>
/// (no reflection), and lenient where a plugin's answer may be garbage: a null list, a null element or an unknown enum
/// value is carried across as such, so that atmos, not the plugin's process, decides what it means.
/// </summary>
internal static class ContractJson
{
    public static void Write(Utf8JsonWriter json, PlanRequest request)
    {
        json.WriteStartObject();
        json.WriteNumber("scope", (int)request.Scope);
        json.WriteStartArray("providers");
        foreach (var provider in request.Providers)
        {
            Write(json, provider);
        }

        json.WriteEndArray();
        json.WriteStartArray("identities");
        foreach (var identity in request.Identities)
        {
            Write(json, identity);
        }

        json.WriteEndArray();
        json.WriteStartArray("integrations");
        foreach (var integration in request.Integrations)
        {
            json.WriteStartObject();
            json.WriteString("name", integration.Name);
            json.WriteString("kind", integration.Kind);
            Strings(json, "owners", integration.Owners);
            Strings(json, "files", integration.Files);
            json.WritePropertyName("settings");
            Write(json, integration.Settings);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WritePropertyName("environment");
        Write(json, request.Environment);
        json.WriteEndObject();
    }

    public static PlanRequest ReadPlanRequest(JsonElement json, PluginLog log) => new(
        (LogoutScope)json.GetProperty("scope").GetInt32(),
        json.GetProperty("providers").EnumerateArray().Select(ReadProvider).ToList(),
        json.GetProperty("identities").EnumerateArray().Select(ReadIdentity).ToList(),
        ReadEnvironment(json.GetProperty("environment"), log))
    {
        Integrations = json.TryGetProperty("integrations", out var integrations)
            ? integrations.EnumerateArray().Select(i => new IntegrationTarget(
                i.GetProperty("name").GetString()!,
                i.GetProperty("kind").GetString()!,
                ReadStrings(i.GetProperty("owners"))!,
                ReadSettings(i.GetProperty("settings"))) { Files = ReadStrings(i.GetProperty("files"))! }).ToList()
            : [],
    };

    public static void Write(Utf8JsonWriter json, ProviderTarget provider)
    {
        json.WriteStartObject();
        json.WriteString("name", provider.Name);
        json.WriteString("kind", provider.Kind);
        json.WriteString("base_folder", provider.BaseFolder);
        json.WriteString("folder", provider.Folder);
        json.WriteBoolean("uses_default_base", provider.UsesDefaultBase);
        json.WritePropertyName("settings");
        Write(json, provider.Settings);
        json.WriteEndObject();
    }

    public static ProviderTarget ReadProvider(JsonElement json) => new(
        json.GetProperty("name").GetString()!,
        json.GetProperty("kind").GetString()!,
        json.GetProperty("base_folder").GetString()!,
        json.GetProperty("folder").GetString()!,
        json.GetProperty("uses_default_base").GetBoolean(),
        ReadSettings(json.GetProperty("settings")));

    public static void Write(Utf8JsonWriter json, IdentityTarget identity)
    {
        json.WriteStartObject();
        json.WriteString("name", identity.Name);
        json.WriteString("kind", identity.Kind);
        Strings(json, "chain", identity.Chain);
        if (identity.Provider is null)
        {
            json.WriteNull("provider");
        }
        else
        {
            json.WritePropertyName("provider");
            Write(json, identity.Provider);
        }

        json.WritePropertyName("settings");
        Write(json, identity.Settings);
        json.WriteEndObject();
    }

    public static IdentityTarget ReadIdentity(JsonElement json) => new(
        json.GetProperty("name").GetString()!,
        json.GetProperty("kind").GetString()!,
        ReadStrings(json.GetProperty("chain"))!,
        json.GetProperty("provider") is { ValueKind: JsonValueKind.Object } provider ? ReadProvider(provider) : null,
        ReadSettings(json.GetProperty("settings")));

    /// <summary>The environment; its clock crosses as the time it read when written (<see cref="ForwardedClock"/>).</summary>
    public static void Write(Utf8JsonWriter json, PluginEnvironment environment)
    {
        json.WriteStartObject();
        json.WriteString("home", environment.HomeDirectory);
        json.WriteString("default_base_folder", environment.DefaultBaseFolder);
        json.WriteString("cache_home", environment.CacheHome);
        json.WriteString("data_home", environment.DataHome);
        json.WriteNumber("lock_timeout_ms", (long)environment.LockTimeout.TotalMilliseconds);
        json.WriteString("now", environment.Clock.GetUtcNow());
        json.WriteStartObject("variables");
        foreach (var (name, value) in environment.Variables)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static PluginEnvironment ReadEnvironment(JsonElement json, PluginLog log)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in json.GetProperty("variables").EnumerateObject())
        {
            variables[variable.Name] = variable.Value.GetString() ?? string.Empty;
        }

        return new PluginEnvironment(
            json.GetProperty("home").GetString()!,
            json.GetProperty("default_base_folder").GetString()!,
            json.GetProperty("cache_home").GetString()!,
            json.GetProperty("data_home").GetString()!,
            TimeSpan.FromMilliseconds(json.GetProperty("lock_timeout_ms").GetInt64()),
            new ForwardedClock(json.GetProperty("now").GetDateTimeOffset()),
            variables)
        {
            Log = log,
        };
    }

    public static void Write(Utf8JsonWriter json, KeyringEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("name", entry.Name);
        json.WriteString("kind", entry.Kind);
        json.WriteString("envelope_type", entry.EnvelopeType);
        json.WriteStartObject("fields");
        foreach (var (name, value) in entry.Fields)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static KeyringEntry ReadKeyringEntry(JsonElement json)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var field in json.GetProperty("fields").EnumerateObject())
        {
            fields[field.Name] = field.Value.GetString();
        }

        return new KeyringEntry(json.GetProperty("name").GetString()!, json.GetProperty("kind").GetString()!, json.GetProperty("envelope_type").GetString(), fields);
    }

    /// <summary>A step as the plugin made it: null lists, null elements and any class value cross as they are.</summary>
    public static void Write(Utf8JsonWriter json, FileStep? step)
    {
        if (step is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteString("action", step.Action);
        Strings(json, "principals", step.Principals);
        json.WriteString("target", step.Target);
        Strings(json, "paths", step.Paths);
        json.WriteString("note", step.Note);
        json.WriteNumber("class", (int)step.Class);
        if (step.Arguments is null)
        {
            json.WriteNull("arguments");
        }
        else
        {
            json.WriteStartObject("arguments");
            foreach (var (name, value) in step.Arguments)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    public static FileStep? ReadStep(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        Dictionary<string, string>? arguments = null;
        if (json.GetProperty("arguments") is { ValueKind: JsonValueKind.Object } map)
        {
            arguments = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var argument in map.EnumerateObject())
            {
                arguments[argument.Name] = argument.Value.GetString()!;
            }
        }

        return new FileStep
        {
            Action = json.GetProperty("action").GetString()!,
            Principals = ReadStrings(json.GetProperty("principals"))!,
            Target = json.GetProperty("target").GetString()!,
            Paths = ReadStrings(json.GetProperty("paths"))!,
            Note = json.GetProperty("note").GetString(),
            Class = (CredentialClass)json.GetProperty("class").GetInt32(),
            Arguments = arguments!,
        };
    }

    public static void Write(Utf8JsonWriter json, StepResult? result)
    {
        if (result is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteNumber("status", (int)result.Status);
        json.WriteString("reason", result.Reason);
        json.WriteString("detail", result.Detail);
        json.WriteEndObject();
    }

    public static StepResult? ReadResult(JsonElement json) => json.ValueKind != JsonValueKind.Object
        ? null
        : new StepResult((StepStatus)json.GetProperty("status").GetInt32(), json.GetProperty("reason").GetString(), json.GetProperty("detail").GetString());

    public static void Write(Utf8JsonWriter json, StoredArtifact? artifact)
    {
        if (artifact is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteString("principal", artifact.Principal);
        json.WriteString("path", artifact.Path);
        json.WriteNumber("class", (int)artifact.Class);
        json.WriteString("description", artifact.Description);
        if (artifact.Expires is { } expires)
        {
            json.WriteString("expires", expires);
        }
        else
        {
            json.WriteNull("expires");
        }

        json.WriteEndObject();
    }

    public static StoredArtifact? ReadArtifact(JsonElement json) => json.ValueKind != JsonValueKind.Object
        ? null
        : new StoredArtifact(
            json.GetProperty("principal").GetString()!,
            json.GetProperty("path").GetString()!,
            (CredentialClass)json.GetProperty("class").GetInt32(),
            json.GetProperty("description").GetString()!,
            json.GetProperty("expires") is { ValueKind: JsonValueKind.String } expires ? expires.GetDateTimeOffset() : null);

    /// <summary>Settings as a JSON tree: strings, nested objects, arrays of those, nulls.</summary>
    public static void Write(Utf8JsonWriter json, Settings settings)
    {
        json.WriteStartObject();
        foreach (var (name, value) in settings)
        {
            json.WritePropertyName(name);
            WriteSetting(json, value);
        }

        json.WriteEndObject();
    }

    public static Settings ReadSettings(JsonElement json)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            values[property.Name] = ReadSetting(property.Value);
        }

        return new Settings(values);
    }

    public static void Strings(Utf8JsonWriter json, string name, IEnumerable<string?>? values)
    {
        if (values is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    public static List<string?>? ReadStrings(JsonElement json) =>
        json.ValueKind != JsonValueKind.Array ? null : json.EnumerateArray().Select(e => e.GetString()).ToList();

    private static void WriteSetting(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case Settings nested:
                Write(json, nested);
                break;
            case System.Collections.IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteSetting(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static object? ReadSetting(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Object => ReadSettings(json),
        JsonValueKind.Array => json.EnumerateArray().Select(ReadSetting).ToList(),
        _ => json.GetRawText(),
    };
}

/// <summary>
/// The run's clock as a plugin's process sees it: the time atmos's clock read when the call was sent, moving on with
/// the real time since. A run under a fixed clock (tests, replays of a recorded time) stays at that time, give or take
/// the milliseconds the call takes.
/// </summary>
internal sealed class ForwardedClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _received = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(_received);
}
