using System.Globalization;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Status;

/// <summary>
/// The words of <c>atmos auth status</c>: the plain-text report (also what the terminal table is made of), the summary
/// line, the exit code and the JSON document. Pure functions of a <see cref="StatusReport"/>.
/// </summary>
public static class StatusOutput
{
    /// <summary>Exit code: everything could be inspected.</summary>
    public const int Complete = ExitCodes.Success;

    /// <summary>Exit code: the keyring or a plugin could not be read; the report is partial.</summary>
    public const int Incomplete = ExitCodes.Failed;

    /// <summary>The exit code for a report.</summary>
    /// <param name="report">The report.</param>
    public static int ExitCode(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Complete ? Complete : Incomplete;
    }

    /// <summary>The configuration files read, on one line: <c>Config: ~/project/atmos.yaml, ~/project/.atmos.d/auth.yaml</c>.</summary>
    /// <param name="report">The report.</param>
    public static OutputLine ConfigLine(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new($"Config: {(report.ConfigFiles.Count == 0 ? "(none)" : string.Join(", ", report.ConfigFiles.Select(f => HumanOutput.Display(f, report.Home))))}", Tone.Muted);
    }

    /// <summary>The first line: which keyring was read, or why it could not be.</summary>
    /// <param name="report">The report.</param>
    public static OutputLine Heading(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var realm = report.Realm is null ? string.Empty : $", realm: {report.Realm}";
        return report.KeyringProblem is null
            ? new($"Keyring: {report.KeyringBackend}{realm}")
            : new($"Keyring: {report.KeyringBackend}{realm} (cannot check: {report.KeyringProblem})", Tone.Failure);
    }

    /// <summary>"identity via aws-sso, aws/assume-role" or "provider, aws/iam-identity-center".</summary>
    /// <param name="principal">The identity or provider.</param>
    public static string Describe(PrincipalStatus principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var role = principal.Role == PrincipalRole.Provider ? "provider" : principal.Via is null ? "identity" : $"identity via {principal.Via}";
        return $"{role}, {principal.Kind}";
    }

    /// <summary>The keyring cell: "session, expires 2030-01-01T08:00:00Z", "keychain credential", "none" or "cannot check".</summary>
    /// <param name="principal">The identity or provider.</param>
    /// <param name="report">The report (for the keyring problem and the clock).</param>
    public static string KeyringText(PrincipalStatus principal, StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(report);
        return principal.Keyring is { } entry
            ? Details(Class(entry.Class), entry.Expires, report.At) + KeyList(principal.Name, entry)
            : report.KeyringProblem is null ? "none" : "cannot check";
    }

    // The keys found when they are not just the name itself (the reference doc's form).
    private static string KeyList(string name, StoredEntry entry) =>
        entry.Keys.Count == 0 || (entry.Keys.Count == 1 && entry.Keys[0] == name) ? string.Empty : $" [{string.Join(", ", entry.Keys)}]";

    /// <summary>A file line: "~/.aws/sso/cache/x.json (SSO token, session, expires 2030-01-01T00:00:00Z)".</summary>
    /// <param name="file">The file.</param>
    /// <param name="report">The report (for <c>~</c> and the clock).</param>
    public static string FileText(StoredFile file, StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(report);
        return $"{HumanOutput.Display(file.Path, report.Home)} ({Details($"{file.Description}, {Class(file.Class)}", file.Expires, report.At)})";
    }

    /// <summary>
    /// The report as table rows (what a terminal shows): one row per stored credential, the name and type on the
    /// first row of each identity or provider, one "none" row for those that hold nothing.
    /// </summary>
    /// <param name="report">The report.</param>
    public static IEnumerable<StatusRow> Rows(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var principal in report.Principals)
        {
            var type = principal.Role == PrincipalRole.Provider ? "provider" : principal.Via is null ? "identity" : $"identity via {principal.Via}";
            var rows = new List<StatusRow>();
            if (principal.Keyring is { } entry)
            {
                rows.Add(new StatusRow(principal.Name, type, $"keyring entry{KeyList(principal.Name, entry)}", Class(entry.Class), Expiry(entry.Expires, report.At), true));
            }
            else if (report.KeyringProblem is not null)
            {
                rows.Add(new StatusRow(principal.Name, type, "keyring entry: cannot check", string.Empty, string.Empty, false));
            }

            rows.AddRange(principal.Files.Select(f => new StatusRow(principal.Name, type, $"{HumanOutput.Display(f.Path, report.Home)} ({f.Description})", Class(f.Class), Expiry(f.Expires, report.At), true)));
            if (rows.Count == 0)
            {
                rows.Add(new StatusRow(principal.Name, type, "none", string.Empty, string.Empty, false));
            }

            for (var i = 0; i < rows.Count; i++)
            {
                yield return i == 0 ? rows[i] : rows[i] with { Name = string.Empty, Type = string.Empty };
            }
        }
    }

    /// <summary>The last line: how many hold credentials, and the problems that made the report partial.</summary>
    /// <param name="report">The report.</param>
    public static IEnumerable<OutputLine> Summary(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var problem in report.Problems)
        {
            yield return new($"✗ {problem}", Tone.Failure);
        }

        var holding = report.Principals.Count(p => p.HoldsCredentials);
        yield return holding == 0 && report.Complete
            ? new("Nothing stored: every identity and provider here is logged out.", Tone.Success)
            : new($"{holding} of {report.Principals.Count} {(report.Principals.Count == 1 ? "identity or provider holds" : "identities and providers hold")} local credentials{(report.Complete ? "." : " (incomplete: see above).")}", report.Complete ? Tone.Plain : Tone.Warning);
    }

    /// <summary>The report as plain text, for a pipe or a file (a terminal gets a table of the same cells).</summary>
    /// <param name="report">The report.</param>
    public static IEnumerable<OutputLine> Lines(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        yield return ConfigLine(report);
        yield return Heading(report);
        foreach (var principal in report.Principals)
        {
            yield return new($"{principal.Name} ({Describe(principal)})");
            if (!principal.HoldsCredentials && report.KeyringProblem is null)
            {
                yield return new("  • nothing stored", Tone.Muted);
                continue;
            }

            yield return new($"  • Keyring: {KeyringText(principal, report)}", principal.Keyring is null ? Tone.Muted : Tone.Plain);
            foreach (var file in principal.Files)
            {
                yield return new($"  • Files: {FileText(file, report)}");
            }
        }

        foreach (var line in Summary(report))
        {
            yield return line;
        }
    }

    /// <summary><c>--output json</c> (README "JSON output"): one document, never a secret.</summary>
    /// <param name="report">The report.</param>
    public static string Json(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", StatusReport.SchemaVersion);
            json.WriteString("command", "auth status");
            json.WriteString("scope", report.Scope switch { ScopeKind.Identity => "identity", ScopeKind.Provider => "provider", _ => "all" });
            json.WriteString("target", report.Target);
            json.WriteString("realm", report.Realm);
            json.WriteString("at", report.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            json.WriteStartArray("config_files");
            foreach (var file in report.ConfigFiles)
            {
                json.WriteStringValue(file);
            }

            json.WriteEndArray();
            json.WriteStartObject("keyring");
            json.WriteString("backend", report.KeyringBackend);
            json.WriteString("problem", report.KeyringProblem);
            json.WriteEndObject();
            json.WriteStartArray("principals");
            foreach (var principal in report.Principals)
            {
                json.WriteStartObject();
                json.WriteString("name", principal.Name);
                json.WriteString("role", principal.Role == PrincipalRole.Provider ? "provider" : "identity");
                json.WriteString("kind", principal.Kind);
                json.WriteString("via", principal.Via);
                json.WriteBoolean("holds_credentials", principal.HoldsCredentials);
                json.WriteStartObject("keyring");
                json.WriteString("presence", principal.Keyring is not null ? "present" : report.KeyringProblem is null ? "absent" : "unknown");
                json.WriteString("class", principal.Keyring is { } entry ? ClassName(entry.Class) : null);
                json.WriteStartArray("keys");
                foreach (var key in principal.Keyring?.Keys ?? [])
                {
                    json.WriteStringValue(key);
                }

                json.WriteEndArray();
                WriteExpiry(json, principal.Keyring?.Expires, report.At);
                json.WriteEndObject();
                json.WriteStartArray("files");
                foreach (var file in principal.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("path", file.Path);
                    json.WriteString("display", HumanOutput.Display(file.Path, report.Home));
                    json.WriteString("description", file.Description);
                    json.WriteString("class", ClassName(file.Class));
                    WriteExpiry(json, file.Expires, report.At);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("problems");
            foreach (var problem in report.Problems)
            {
                json.WriteStringValue(problem);
            }

            json.WriteEndArray();
            json.WriteStartObject("counts");
            json.WriteNumber("principals", report.Principals.Count);
            json.WriteNumber("holding_credentials", report.Principals.Count(p => p.HoldsCredentials));
            json.WriteNumber("keyring_entries", report.Principals.Count(p => p.Keyring is not null));
            json.WriteNumber("files", report.Principals.Sum(p => p.Files.Count));
            json.WriteEndObject();
            json.WriteBoolean("complete", report.Complete);
            json.WriteNumber("exit_code", ExitCode(report));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteExpiry(Utf8JsonWriter json, DateTimeOffset? expires, DateTimeOffset now)
    {
        json.WriteString("expires", expires?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        if (expires is null)
        {
            json.WriteNull("expired");
        }
        else
        {
            json.WriteBoolean("expired", expires <= now);
        }
    }

    private static string Details(string what, DateTimeOffset? expires, DateTimeOffset now) => expires switch
    {
        null => what,
        { } at when at <= now => $"{what}, expired {Time(at)}",
        { } at => $"{what}, expires {Time(at)}",
    };

    private static string Expiry(DateTimeOffset? expires, DateTimeOffset now) => expires switch
    {
        null => string.Empty,
        { } at when at <= now => $"expired {Time(at)}",
        { } at => Time(at),
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Class(StepClass value) => value switch
    {
        StepClass.Session => "session",
        StepClass.LongLived => "keychain credential",
        _ => "unclassified (its plugin is unavailable)",
    };

    private static string ClassName(StepClass value) => value switch
    {
        StepClass.Session => "session",
        StepClass.LongLived => "long-lived",
        _ => "unknown",
    };
}

/// <summary>One row of the status table.</summary>
/// <param name="Name">The identity or provider (empty on its later rows).</param>
/// <param name="Type">"provider", "identity" or "identity via P" (empty on later rows).</param>
/// <param name="Credential">"keyring entry", a file with what it holds, or "none".</param>
/// <param name="Class">"session", "keychain credential"... (empty when nothing is stored).</param>
/// <param name="Expires">The expiry, "expired ..." when past, or empty.</param>
/// <param name="Stored">Whether the row is a stored credential (the others are shown dimmed).</param>
public sealed record StatusRow(string Name, string Type, string Credential, string Class, string Expires, bool Stored);
