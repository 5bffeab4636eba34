using System.Collections;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Keyring;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// Everything the CLI takes from the process: environment variables, home and working folders, the streams and
/// whether they are terminals, the install folder, the clock and the prompts. Tests build one with their own values
/// and run the whole CLI in-process.
/// </summary>
public sealed record HostEnvironment
{
    /// <summary>A snapshot of the environment variables.</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>The home folder.</summary>
    public required string Home { get; init; }

    /// <summary>The current folder.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Standard output: JSON documents only.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: all human output.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether standard error is a terminal (colour, prompts).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether standard input is a terminal (prompts).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>The folder holding the atmos executable and the built-in plugins.json.</summary>
    public required string InstallFolder { get; init; }

    /// <summary>atmos's system config folder (<c>/usr/local/etc/atmos</c>); null reads none (tests).</summary>
    public string? SystemConfigFolder { get; init; }

    /// <summary>The clock for events.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The prompts; null picks a terminal implementation when both streams are terminals.</summary>
    public IUserInteraction? Interaction { get; init; }

    /// <summary>A keyring to use instead of the configured one (in-process tests share one across runs).</summary>
    public IKeyring? Keyring { get; init; }

    /// <summary>Whether colour may be used: a terminal, no <c>NO_COLOR</c>, not <c>TERM=dumb</c>.</summary>
    public bool UseColor =>
        ErrorIsTerminal
        && !(Variables.TryGetValue("NO_COLOR", out var noColor) && noColor.Length > 0)
        && !(Variables.TryGetValue("TERM", out var term) && term == "dumb");

    /// <summary>The real process.</summary>
    public static HostEnvironment FromProcess()
    {
        var variables = new ProcessVariables();
        var home = variables.TryGetValue("HOME", out var h) && h.Length > 0 ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new HostEnvironment
        {
            Variables = variables,
            Home = Path.TrimEndingDirectorySeparator(home),
            WorkingDirectory = Environment.CurrentDirectory,
            Out = Console.Out,
            Error = Console.Error,
            ErrorIsTerminal = !Console.IsErrorRedirected,
            InputIsTerminal = !Console.IsInputRedirected,
            InstallFolder = AppContext.BaseDirectory,
            SystemConfigFolder = ConfigRequest.DefaultSystemFolder,
        };
    }

    /// <summary>A variable's value, or null when unset or empty.</summary>
    /// <param name="name">The variable.</param>
    public string? Variable(string name) => Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

/// <summary>
/// The process's environment variables, looked up one by one when asked (a run asks for a handful; copying all of them
/// at start-up was milliseconds of converting every variable's text). Listing them takes a copy then. Nothing in the
/// process changes its environment, so both views agree.
/// </summary>
internal sealed class ProcessVariables : IReadOnlyDictionary<string, string>
{
    // Each name asked for is looked up once (planning asks for XDG_CONFIG_HOME once per provider, from several threads).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _asked = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _all;

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no environment variable {key}");

    /// <inheritdoc />
    public IEnumerable<string> Keys => All.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => All.Values;

    /// <inheritdoc />
    public int Count => All.Count;

    private Dictionary<string, string> All
    {
        get
        {
            if (_all is null)
            {
                var all = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
                {
                    all[(string)entry.Key] = entry.Value as string ?? string.Empty;
                }

                _all = all;
            }

            return _all;
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        value = key.Length == 0 || key.Contains('=', StringComparison.Ordinal) ? null : _asked.GetOrAdd(key, static name => Environment.GetEnvironmentVariable(name));
        return value is not null;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => All.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
