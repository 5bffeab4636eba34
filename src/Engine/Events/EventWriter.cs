using System.Text.Json;

namespace Atmos.Plugins.Engine.Events;

/// <summary>
/// Writes an event exactly as <see cref="EventJsonContext"/> serializes it, with a bare <see cref="Utf8JsonWriter"/>.
/// Every run writes its events to the audit trail, and the serializer's first call costs tens of milliseconds of
/// start-up (its converters are generic over our types, so they cannot be precompiled); this costs almost nothing.
/// A test holds the two byte for byte equal for every event type, so the serializer stays the contract and the reader.
/// </summary>
internal static class EventWriter
{
    public static void Write(Utf8JsonWriter json, LogoutEvent logoutEvent)
    {
        json.WriteStartObject();
        json.WriteString("type", EventJson.WireName(logoutEvent));
        json.WriteNumber("v", logoutEvent.Version);
        json.WriteString("run", logoutEvent.Run);
        json.WriteString("at", logoutEvent.At);
        switch (logoutEvent)
        {
            case ConfigWarningReported e:
                json.WriteString("warning", e.Warning);
                break;
            case LogoutRequested e:
                json.WriteString("scope", ScopeName(e.Scope));
                Optional(json, "target", e.Target);
                json.WriteBoolean("dry_run", e.DryRun);
                json.WriteBoolean("keychain", e.Keychain);
                json.WriteBoolean("force", e.Force);
                Optional(json, "home", e.Home);
                Optional(json, "realm", e.Realm);
                OptionalStrings(json, "config_files", e.ConfigFiles);
                break;
            case LogoutRejected e:
                json.WriteString("error", e.Error);
                Optional(json, "choices_title", e.ChoicesTitle);
                Strings(json, "choices", e.Choices);
                Optional(json, "hint", e.Hint);
                OptionalStrings(json, "searched", e.Searched);
                break;
            case ChainResolved e:
                json.WriteString("identity", e.Identity);
                Strings(json, "chain", e.Chain);
                break;
            case StepPlanned e:
                Step(json, e.Step);
                break;
            case CredentialPreserved e:
                Step(json, e.Step);
                break;
            case PluginLoadFailed e:
                json.WriteString("plugin", e.Plugin);
                json.WriteString("reason", e.Reason);
                break;
            case LogoutConfirmed e:
                json.WriteBoolean("forced", e.Forced);
                break;
            case LogoutCancelled e:
                json.WriteString("reason", e.Reason == CancelReason.Declined ? "declined" : "interrupted");
                break;
            case RemovalStarted e:
                json.WriteNumber("steps", e.Steps);
                break;
            case CredentialRemoved e:
                json.WriteNumber("step", e.Step);
                OptionalStrings(json, "keys", e.Keys);
                break;
            case CredentialNotFound e:
                json.WriteNumber("step", e.Step);
                Optional(json, "detail", e.Detail);
                break;
            case StepFailed e:
                json.WriteNumber("step", e.Step);
                json.WriteString("reason", e.Reason);
                Optional(json, "detail", e.Detail);
                Optional(json, "fix", e.Fix);
                break;
            case LogoutFailed e:
                json.WriteString("error", e.Error);
                break;
        }

        json.WriteEndObject();
    }

    private static void Step(Utf8JsonWriter json, StepData step)
    {
        json.WriteStartObject("step");
        json.WriteNumber("index", step.Index);
        json.WriteString("type", TypeName(step.Type));
        json.WriteString("target", step.Target);
        OptionalStrings(json, "keys", step.Keys);
        Strings(json, "principals", step.Principals);
        json.WriteString("class", step.Class switch { StepClass.Session => "session", StepClass.LongLived => "long-lived", _ => "unknown" });
        json.WriteString("role", step.Role == PrincipalRole.Identity ? "identity" : "provider");
        Optional(json, "kind", step.Kind);
        Optional(json, "via", step.Via);
        json.WriteString("presence", step.Presence switch { Presence.Present => "present", Presence.Absent => "absent", _ => "unknown" });
        Optional(json, "plugin", step.Plugin);
        Optional(json, "action", step.Action);
        Strings(json, "paths", step.Paths);
        Optional(json, "note", step.Note);
        json.WriteStartObject("arguments");
        foreach (var (name, value) in step.Arguments)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        Optional(json, "blocked", step.Blocked);
        Optional(json, "blocked_detail", step.BlockedDetail);
        json.WriteEndObject();
    }

    /// <summary>A scope as the events name it.</summary>
    /// <param name="scope">The scope.</param>
    public static string ScopeName(ScopeKind scope) => scope switch
    {
        ScopeKind.Identity => "identity",
        ScopeKind.Provider => "provider",
        ScopeKind.All => "all",
        ScopeKind.AllRealms => "all-realms",
        ScopeKind.Tags => "tags",
        _ => "none",
    };

    /// <summary>A step type as the events name it.</summary>
    /// <param name="type">The type.</param>
    public static string TypeName(StepType type) => type switch
    {
        StepType.Keyring => "keyring",
        StepType.Files => "files",
        StepType.Config => "config",
        StepType.Folder => "folder",
        _ => "plugin",
    };

    private static void OptionalStrings(Utf8JsonWriter json, string name, IEnumerable<string>? values)
    {
        if (values is not null)
        {
            Strings(json, name, values);
        }
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
