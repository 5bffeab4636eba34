using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atmos.Plugins.Engine.Events;

/// <summary>JSON (de)serialization of events, source-generated so start-up pays no reflection cost.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(LogoutEvent))]
[JsonSerializable(typeof(List<LogoutEvent>))]
public sealed partial class EventJsonContext : JsonSerializerContext;

/// <summary>Writes and reads events as single JSON lines.</summary>
public static class EventJson
{
    /// <summary>The event's wire name: the <c>"type"</c> of its JSON line, stable across class renames.</summary>
    /// <param name="logoutEvent">An event of the family.</param>
    /// <exception cref="ArgumentException">The event is not of the closed family.</exception>
    /// <remarks>
    /// The names repeat the family's declaration (the <see cref="JsonDerivedTypeAttribute"/>s on <see cref="LogoutEvent"/>,
    /// which the reader uses); a test holds the two equal for every event type. Written out rather than read from the
    /// attributes: reading them loads and instantiates every event type and attribute at every run's start
    /// (docs/performance.md).
    /// </remarks>
    public static string WireName(LogoutEvent logoutEvent) => logoutEvent switch
    {
        ConfigWarningReported => "ConfigWarningReported",
        LogoutRequested => "LogoutRequested",
        LogoutRejected => "LogoutRejected",
        ChainResolved => "ChainResolved",
        StepPlanned => "StepPlanned",
        CredentialPreserved => "CredentialPreserved",
        PluginLoadFailed => "PluginLoadFailed",
        LogoutConfirmed => "LogoutConfirmed",
        LogoutCancelled => "LogoutCancelled",
        RemovalStarted => "RemovalStarted",
        CredentialRemoved => "CredentialRemoved",
        CredentialNotFound => "CredentialNotFound",
        StepFailed => "StepFailed",
        LogoutInterrupted => "LogoutInterrupted",
        LogoutFailed => "LogoutFailed",
        LogoutCompleted => "LogoutCompleted",
        _ => throw new ArgumentException($"{logoutEvent?.GetType().Name} is not an event of the closed family", nameof(logoutEvent)),
    };

    /// <summary>Every wire name the family declares, from its attributes (read only by the reader).</summary>
    internal static IReadOnlySet<string> KnownTypes => Declared.Names;

    /// <summary>
    /// One event as one line of JSON (no line breaks inside), exactly as <see cref="EventJsonContext"/> serializes it,
    /// written without the serializer's start-up cost.
    /// </summary>
    /// <param name="logoutEvent">The event.</param>
    public static string Serialize(LogoutEvent logoutEvent)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, logoutEvent);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Appends one event as one line of JSON, followed by <c>\n</c>: a line of the audit trail.</summary>
    /// <param name="buffer">Where the UTF-8 bytes go.</param>
    /// <param name="logoutEvent">The event.</param>
    public static void WriteLine(IBufferWriter<byte> buffer, LogoutEvent logoutEvent)
    {
        Write(buffer, logoutEvent);
        buffer.Write("\n"u8);
    }

    private static void Write(IBufferWriter<byte> buffer, LogoutEvent logoutEvent)
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        using var json = new Utf8JsonWriter(buffer);
        EventWriter.Write(json, logoutEvent);
    }

    /// <summary>
    /// Reads one line. Returns null with <paramref name="skipped"/> set for an event type or version this build does not
    /// know (written by a newer atmos): replays skip those with a warning.
    /// </summary>
    /// <param name="line">One JSON line.</param>
    /// <param name="skipped">Why the line was skipped.</param>
    /// <exception cref="JsonException">The line is not an event at all.</exception>
    public static LogoutEvent? Deserialize(string line, out string? skipped)
    {
        skipped = null;
        using (var document = JsonDocument.Parse(line))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw new JsonException("not an event: no \"type\"");
            }

            var name = type.GetString()!;
            if (!Declared.Names.Contains(name))
            {
                skipped = $"unknown event type '{name}'";
                return null;
            }

            if (root.TryGetProperty("v", out var version) && version.TryGetInt32(out var v) && v > LogoutEvent.CurrentVersion)
            {
                skipped = $"{name} has schema version {v}; this atmos reads version {LogoutEvent.CurrentVersion}";
                return null;
            }
        }

        return JsonSerializer.Deserialize(line, EventJsonContext.Default.LogoutEvent);
    }

    // The family's declaration as the reader sees it; initialised on the first read, never by a run that only writes.
    private static class Declared
    {
        public static readonly HashSet<string> Names = typeof(LogoutEvent)
            .GetCustomAttributes(typeof(JsonDerivedTypeAttribute), inherit: false)
            .Cast<JsonDerivedTypeAttribute>()
            .Select(a => (string)a.TypeDiscriminator!)
            .ToHashSet(StringComparer.Ordinal);
    }
}
