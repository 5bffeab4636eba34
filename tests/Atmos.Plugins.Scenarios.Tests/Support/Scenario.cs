using Atmos.Plugins.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Scenarios.Tests.Support;

/// <summary>Which keyring a scenario runs against.</summary>
public enum KeyringBackend
{
    /// <summary>An in-memory keyring shared by the run (the default; keyring realism does not matter).</summary>
    Memory,

    /// <summary>A private gnome-keyring-daemon on a private D-Bus, unlocked, seeded with secret-tool.</summary>
    SecretService,

    /// <summary>The same daemon with its login collection locked (and no way to unlock it without a prompt).</summary>
    Locked,

    /// <summary>A daemon that has no login collection, so the default alias points nowhere.</summary>
    NoLoginCollection,

    /// <summary>A session bus on which nothing provides org.freedesktop.secrets.</summary>
    NoService,

    /// <summary>The system keyring with no D-Bus session bus at all.</summary>
    NoBus,

    /// <summary>The file keyring under ~/.local/share/atmos/keyring (password from the scenario's environment).</summary>
    File,
}

/// <summary>The answers a scripted terminal gives.</summary>
/// <param name="Pick">The picker row to choose (its label), or "escape".</param>
/// <param name="Confirm">"yes", "no" or "interrupt" at the keychain confirmation.</param>
public sealed record TerminalScript(string? Pick, string? Confirm);

/// <summary>
/// One folder of tests/Scenarios: its atmos.yaml, the starting state and the command (scenario.yaml), and its snapshots
/// (__snapshots__/). The format is documented in tests/Scenarios/README.md.
/// </summary>
public sealed record Scenario
{
    /// <summary>The folder's name.</summary>
    public required string Name { get; init; }

    /// <summary>The folder.</summary>
    public required string Folder { get; init; }

    /// <summary>What the scenario shows.</summary>
    public required string Description { get; init; }

    /// <summary>The command line after <c>atmos</c>.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Files under HOME: path to content.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>Symbolic links under HOME: path to target (relative targets are relative to the link's folder).</summary>
    public IReadOnlyDictionary<string, string> Symlinks { get; init; } = new Dictionary<string, string>();

    /// <summary>The keyring backend.</summary>
    public KeyringBackend Keyring { get; init; } = KeyringBackend.Memory;

    /// <summary>Keyring entries to seed: name to value (a JSON envelope).</summary>
    public IReadOnlyDictionary<string, string> KeyringEntries { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables of the run.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The folder the command runs in, relative to HOME (default <c>project</c>, where atmos.yaml is).</summary>
    public string WorkingDirectory { get; init; } = "project";

    /// <summary>Extra plugins.json entries: name to "missing", "broken" or "faulty".</summary>
    public IReadOnlyDictionary<string, string> Plugins { get; init; } = new Dictionary<string, string>();

    /// <summary>A scripted terminal, or null for no terminal.</summary>
    public TerminalScript? Terminal { get; init; }

    /// <summary>Folders (under HOME) whose entries cannot be created, removed or renamed during the run.</summary>
    public IReadOnlyList<string> DenyWrite { get; init; } = [];

    /// <summary>Files (under HOME) whose <c>.lock</c> another process holds during the run.</summary>
    public IReadOnlyList<string> HoldLock { get; init; } = [];

    /// <summary>Whether the files left under HOME are snapshotted too (<c>__snapshots__/files.snap</c>).</summary>
    public bool SnapshotFiles { get; init; }

    /// <summary>HOME-relative paths that must still be there after the run (a seeded file unchanged).</summary>
    public IReadOnlyList<string> ExpectLeft { get; init; } = [];

    /// <summary>HOME-relative paths that must be gone after the run.</summary>
    public IReadOnlyList<string> ExpectGone { get; init; } = [];

    /// <summary>HOME-relative files and their exact content after the run (an edited file).</summary>
    public IReadOnlyDictionary<string, string> ExpectContent { get; init; } = new Dictionary<string, string>();

    /// <summary>Every keyring entry left after the run, exactly (null: not checked).</summary>
    public IReadOnlyList<string>? ExpectKeyring { get; init; }

    /// <summary>
    /// Every secret value of the starting state: by convention (tests/Scenarios/README.md) each contains "SECRET", and
    /// none may appear in any output, audit trail or snapshot.
    /// </summary>
    public IReadOnlyList<string> Secrets =>
        Files.Values.Concat(KeyringEntries.Values)
            .SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text, "[^\\s\"'=,:{}\\[\\]]*SECRET[^\\s\"'=,:{}\\[\\]]*").Select(m => m.Value))
            .Distinct()
            .ToList();

    /// <summary>Whether the scenario needs a private Secret Service.</summary>
    public bool NeedsSecretService => Keyring is KeyringBackend.SecretService or KeyringBackend.Locked or KeyringBackend.NoLoginCollection or KeyringBackend.NoService;

    /// <summary>The scenarios' root folder in the repository.</summary>
    public static string Root => Path.Join(RepoPaths.Root, "tests", "Scenarios");

    /// <summary>Every scenario folder's name, sorted.</summary>
    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories(Root).Where(d => File.Exists(Path.Join(d, "scenario.yaml"))).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    /// <summary>Reads a scenario folder.</summary>
    public static Scenario Load(string name)
    {
        var folder = Path.Join(Root, name);
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Join(folder, "scenario.yaml")))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var known = new HashSet<string>(StringComparer.Ordinal) { "description", "command", "files", "symlinks", "keyring", "environment", "plugins", "terminal", "inject", "snapshot_files", "expect", "working_directory" };
        var unknown = root.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"{name}/scenario.yaml: unknown keys {string.Join(", ", unknown)}; see tests/Scenarios/README.md");
        }

        var keyring = Map(root, "keyring");
        var terminal = Map(root, "terminal");
        var inject = Map(root, "inject");
        var expect = Map(root, "expect");
        return new Scenario
        {
            Name = name,
            Folder = folder,
            Description = Scalar(root, "description") ?? throw new InvalidDataException($"{name}/scenario.yaml needs a description"),
            Command = CommandLine.Split(Scalar(root, "command") ?? throw new InvalidDataException($"{name}/scenario.yaml needs a command")),
            Files = Strings(Map(root, "files")),
            Symlinks = Strings(Map(root, "symlinks")),
            Keyring = Scalar(keyring, "backend") switch
            {
                null or "memory" => KeyringBackend.Memory,
                "secret-service" => KeyringBackend.SecretService,
                "locked" => KeyringBackend.Locked,
                "no-login-collection" => KeyringBackend.NoLoginCollection,
                "no-service" => KeyringBackend.NoService,
                "no-bus" => KeyringBackend.NoBus,
                "file" => KeyringBackend.File,
                var other => throw new InvalidDataException($"{name}/scenario.yaml: unknown keyring backend '{other}'"),
            },
            KeyringEntries = Strings(Map(keyring, "entries")),
            Environment = Strings(Map(root, "environment")),
            WorkingDirectory = Scalar(root, "working_directory") ?? "project",
            Plugins = Strings(Map(root, "plugins")),
            Terminal = terminal is null ? null : new TerminalScript(Scalar(terminal, "pick"), Scalar(terminal, "confirm")),
            DenyWrite = List(inject, "deny_write"),
            HoldLock = List(inject, "hold_lock"),
            SnapshotFiles = Scalar(root, "snapshot_files") is "true",
            ExpectLeft = List(expect, "left"),
            ExpectGone = List(expect, "gone"),
            ExpectContent = Strings(Map(expect, "content")),
            ExpectKeyring = expect is not null && expect.Children.ContainsKey(new YamlScalarNode("keyring")) ? List(expect, "keyring") : null,
        };
    }

    private static YamlMappingNode? Map(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    private static string? Scalar(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;

    private static IReadOnlyList<string> List(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.Cast<YamlScalarNode>().Select(s => s.Value!).ToList()
            : [];

    private static Dictionary<string, string> Strings(YamlMappingNode? node) =>
        node?.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? string.Empty, StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Splits a command line like a shell does for the simple cases scenarios use: spaces, and '...' or "..." quoting.</summary>
public static class CommandLine
{
    public static IReadOnlyList<string> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line.Trim())
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
