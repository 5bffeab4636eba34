using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>
/// The fast event writer (what every run's audit trail uses) writes byte for byte what the source-generated serializer
/// writes, for every event type of the closed family, with optional fields set and unset.
/// </summary>
public sealed class EventJsonTests
{
    private const string Odd = "dev → admin <é & 'x' \"q\"> \\ \t";

    private static readonly StepData FullStep = new()
    {
        Index = 3,
        Type = StepType.Files,
        Target = "/home/u/.config/atmos/aws/aws-sso/",
        Principals = ["dev-admin", Odd],
        Class = StepClass.LongLived,
        Role = PrincipalRole.Provider,
        Kind = "aws/iam-identity-center",
        Via = "aws-sso",
        Presence = Presence.Absent,
        Plugin = "aws",
        Action = "remove-profiles",
        Paths = ["/home/u/a", "/home/u/b"],
        Note = "XDG-compliant",
        Arguments = new Dictionary<string, string> { ["base"] = "/home/u/.config/atmos/aws", ["profiles"] = "a\nb" },
        Blocked = "plugin unavailable",
        BlockedDetail = Odd,
    };

    private static readonly StepData BareStep = new() { Index = 0, Type = StepType.Plugin, Target = "gcp", Principals = [], Class = StepClass.Unknown };

    public static TheoryData<LogoutEvent> Samples() =>
    [
        new ConfigWarningReported { Warning = "~/project/atmos.yaml:3:5: warning: unknown key " + Odd },
        new LogoutRequested { Scope = ScopeKind.Identity, Target = Odd, DryRun = true, Keychain = true, Force = true, Home = "/home/u" },
        new LogoutRequested { Scope = ScopeKind.None },
        new LogoutRequested { Scope = ScopeKind.Provider, Target = "aws-sso" },
        new LogoutRequested { Scope = ScopeKind.All },
        new LogoutRejected { Error = Odd, ChoicesTitle = "Available identities:", Choices = ["a", "b"], Hint = "Run it" },
        new LogoutRejected { Error = "e" },
        new ChainResolved { Identity = "dev-admin", Chain = ["aws-sso", "dev-admin"] },
        new StepPlanned { Step = FullStep },
        new StepPlanned { Step = BareStep },
        new StepPlanned { Step = BareStep with { Type = StepType.Keyring, Class = StepClass.Session, Presence = Presence.Present } },
        new CredentialPreserved { Step = FullStep },
        new PluginLoadFailed { Plugin = "gcp", Reason = Odd },
        new LogoutConfirmed { Forced = true },
        new LogoutConfirmed(),
        new LogoutCancelled { Reason = CancelReason.Declined },
        new LogoutCancelled { Reason = CancelReason.Interrupted },
        new RemovalStarted { Steps = 12 },
        new CredentialRemoved { Step = 1 },
        new CredentialNotFound { Step = 2, Detail = Odd },
        new CredentialNotFound { Step = 2 },
        new StepFailed { Step = 4, Reason = "permission denied", Detail = Odd, Fix = "The system keyring requires authentication. " + Odd },
        new StepFailed { Step = 4, Reason = "r" },
        new LogoutInterrupted(),
        new LogoutFailed { Error = "InvalidOperationException: " + Odd },
        new LogoutCompleted(),
    ];

    /// <summary>
    /// The wire names are the ones every audit trail on disk carries: a class rename must not change them (they are
    /// literals on the family's declaration, and this list is what was written before).
    /// </summary>
    /// <summary>The writer's wire names are the family's declaration, the attributes the reader uses, for every event type.</summary>
    [Fact]
    public void Wire_names_are_the_declared_discriminators()
    {
        var declared = typeof(LogoutEvent).GetCustomAttributes(typeof(JsonDerivedTypeAttribute), inherit: false)
            .Cast<JsonDerivedTypeAttribute>()
            .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);
        var samples = ((IEnumerable<object[]>)Samples()).Select(row => (LogoutEvent)row[0]).ToList();

        Assert.Equal(declared.Keys.Order(Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name))), samples.Select(e => e.GetType()).Distinct().Order(Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name))));
        Assert.All(samples, e => Assert.Equal(declared[e.GetType()], EventJson.WireName(e)));
        Assert.Equal(declared.Values.Order(StringComparer.Ordinal), EventJson.KnownTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Wire_names_are_the_recorded_ones_whatever_the_class_is_called()
    {
        var names = ((IEnumerable<object[]>)Samples()).Select(row => (LogoutEvent)row[0]).Select(EventJson.WireName).Distinct();

        Assert.Equal(
            [
                "ConfigWarningReported", "LogoutRequested", "LogoutRejected", "ChainResolved", "StepPlanned", "CredentialPreserved",
                "PluginLoadFailed", "LogoutConfirmed", "LogoutCancelled", "RemovalStarted", "CredentialRemoved", "CredentialNotFound",
                "StepFailed", "LogoutInterrupted", "LogoutFailed", "LogoutCompleted",
            ],
            names);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_writer_matches_the_serializer_byte_for_byte(LogoutEvent sample)
    {
        foreach (var at in new[] { new DateTimeOffset(2025, 10, 17, 10, 15, 30, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_567) })
        {
            var stamped = sample with { Run = "0199f3c2a4c87b0e9a3f6d0b1c2d3e4f", At = at };

            var written = EventJson.Serialize(stamped);

            Assert.Equal(JsonSerializer.Serialize<LogoutEvent>(stamped, EventJsonContext.Default.LogoutEvent), written);
            var read = EventJson.Deserialize(written, out var skipped);
            Assert.Null(skipped);
            Assert.Equal(written, EventJson.Serialize(read!));
        }
    }

    /// <summary>
    /// Every property of every event (and of the step it carries) is written: an event filled in completely, through
    /// reflection, comes back from the writer with a key for each property and reads back equal. A property added to an
    /// event and forgotten by the writer fails here, whatever the samples above cover.
    /// </summary>
    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_writer_writes_every_property_of_the_event(Type eventType)
    {
        var full = (LogoutEvent)Filled(eventType);

        var written = EventJson.Serialize(full);

        using var document = JsonDocument.Parse(written);
        foreach (var property in Writable(eventType))
        {
            var key = JsonKey(property);
            Assert.True(document.RootElement.TryGetProperty(key, out var value), $"{eventType.Name}.{property.Name} is not written (no \"{key}\" in {written})");
            if (property.PropertyType == typeof(StepData))
            {
                foreach (var stepProperty in Writable(typeof(StepData)))
                {
                    Assert.True(value.TryGetProperty(JsonKey(stepProperty), out _), $"StepData.{stepProperty.Name} is not written (no \"{JsonKey(stepProperty)}\" in {value})");
                }
            }
        }

        Assert.Equal(written, EventJson.Serialize(EventJson.Deserialize(written, out _)!));
    }

    public static TheoryData<Type> EventTypes() =>
        [.. typeof(LogoutEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType)];

    private static IEnumerable<PropertyInfo> Writable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    private static string JsonKey(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);

    // An instance with every settable property given a value that is not its default.
    private static object Filled(Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in Writable(type))
        {
            property.SetValue(instance, Value(property.PropertyType, property.Name));
        }

        return instance;
    }

    private static object? Value(Type type, string name) => type switch
    {
        _ when type == typeof(string) => $"{name}-{Odd}",
        _ when type == typeof(int) => name == nameof(LogoutEvent.Version) ? LogoutEvent.CurrentVersion : 7, // a newer version is skipped by readers
        _ when type == typeof(bool) => true,
        _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2025, 10, 17, 10, 15, 30, TimeSpan.Zero),
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().Last(),
        _ when type == typeof(IReadOnlyList<string>) => new List<string> { $"{name}-1", $"{name}-2" },
        _ when type == typeof(IReadOnlyDictionary<string, string>) => new Dictionary<string, string> { ["key"] = $"{name}-value" },
        _ when type == typeof(StepData) => Filled(typeof(StepData)),
        _ when Nullable.GetUnderlyingType(type) is { } underlying => Value(underlying, name),
        _ => throw new InvalidOperationException($"no sample value for {type} ({name}); teach the test one"),
    };

    [Fact]
    public void Every_event_type_of_the_family_has_a_sample()
    {
        var family = typeof(LogoutEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).ToHashSet();
        var sampled = ((IEnumerable<object[]>)Samples()).Select(row => row[0].GetType()).ToHashSet();

        Assert.Equal(family.OrderBy(t => t.Name), sampled.OrderBy(t => t.Name));
    }
}
