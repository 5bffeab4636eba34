using Atmos.Plugins.Contracts.Safety;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// One YAML file of the configuration, parsed into a YamlDotNet tree after a bounded scan: every file atmos reads
/// (atmos.yaml, <c>.atmos.d/</c>, imports, profiles, <c>!include</c>d YAML) goes through here, once.
/// </summary>
public static class ConfigDocument
{
    /// <summary>Reads and parses a file; a file that cannot be read or is too large is a problem, not an exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="displayName">How to name it in messages (for example with <c>~</c> for home).</param>
    /// <param name="problem">Set when the file gave nothing usable.</param>
    /// <returns>The root node (null for an empty document or a problem).</returns>
    public static YamlNode? Load(string path, string displayName, out ConfigProblem? problem)
    {
        try
        {
            var info = SafeFile.Probe(path, followLinks: true);
            if (info.Kind == EntryKind.File && info.Length > AuthConfigLoader.MaxBytes)
            {
                problem = ConfigProblem.Error(new SourceLocation(displayName, 1, 1), $"file is {info.Length / 1024 / 1024} MiB; atmos.yaml may be at most {AuthConfigLoader.MaxBytes / 1024 / 1024} MiB");
                return null;
            }

            // Opened without blocking (a FIFO fails at once, naming the file) and used only if it is a regular file.
            return Parse(SafeFile.ReadAllText(path, AuthConfigLoader.MaxBytes, followLinks: true), displayName, out problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ConfigProblem.Error(new SourceLocation(displayName, 1, 1), $"cannot read {displayName}: {SafeFile.Explain(ex)}");
            return null;
        }
    }

    /// <summary>Parses YAML text: the first document's root node, or null for an empty document or a problem.</summary>
    /// <param name="text">The content.</param>
    /// <param name="displayName">How to name the file in messages.</param>
    /// <param name="problem">Set when the text is not usable YAML (syntax, nesting, alias expansion, cycles).</param>
    public static YamlNode? Parse(string text, string displayName, out ConfigProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        try
        {
            // One scan of the text: the shape check records the events and the tree is built from that record.
            var events = new List<ParsingEvent>();
            if (new ShapeCheck(displayName).Run(text, events) is { } shapeProblem)
            {
                problem = shapeProblem;
                return null;
            }

            var stream = new YamlStream();
            Guarded(() => stream.Load(new RecordedEvents(events)), Mark.Empty);
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            var where = new SourceLocation(displayName, (int)ex.Start.Line, (int)ex.Start.Column);
            var message = ex.InnerException?.Message ?? ex.Message;
            problem = ConfigProblem.Error(where, $"invalid YAML: {OneLine(message)}; fix the syntax at this line");
            return null;
        }
    }

    // YamlDotNet fails on some malformed input with other exceptions than YamlException (an InvalidOperationException
    // from its scanner, for one): that is still invalid YAML, reported where reading stopped.
    private static void Guarded(Action read, Mark readUpTo)
    {
        try
        {
            read();
        }
        catch (Exception ex) when (ex is not (YamlException or OutOfMemoryException))
        {
            throw new YamlException(readUpTo, readUpTo, "the YAML parser cannot read past this point");
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    // Replays events already read, for YamlStream.Load.
    private sealed class RecordedEvents(List<ParsingEvent> events) : IParser
    {
        private int _next;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            Current = _next < events.Count ? events[_next++] : null;
            return Current is not null;
        }
    }

    // Cheap event scan before building a tree, so hostile input can neither overflow the stack nor hang: nesting depth;
    // the number of values with aliases expanded (YamlDotNet hashes a mapping key by walking it, so an alias bomb used as
    // a key hangs the load itself); and aliases to an anchor that is not complete yet, which would make a cycle (YAML
    // requires an anchor to be defined before its aliases).
    private sealed class ShapeCheck(string file)
    {
        public ConfigProblem? Run(string text, List<ParsingEvent> record)
        {
            var scanner = new Scanner(new StringReader(text));
            var parser = new Parser(scanner);
            var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
            var open = new List<(string? Anchor, long Size)>();
            long total = 0;
            ConfigProblem? broken;
            while (MoveNext(parser, scanner, out broken))
            {
                var current = parser.Current!;
                record.Add(current);
                long added;
                switch (current)
                {
                    case DocumentStart:
                        anchors.Clear();
                        continue;
                    case MappingStart or SequenceStart:
                        if (open.Count + 1 > AuthConfigLoader.MaxDepth)
                        {
                            return ConfigProblem.Error(At(current.Start), $"nesting is deeper than {AuthConfigLoader.MaxDepth} levels; atmos.yaml needs only a few");
                        }

                        open.Add((AnchorOf(current), 1));
                        continue;
                    case MappingEnd or SequenceEnd:
                        var (anchor, size) = open[^1];
                        open.RemoveAt(open.Count - 1);
                        Define(anchors, anchor, size);
                        added = size;
                        break;
                    case Scalar:
                        Define(anchors, AnchorOf(current), 1);
                        added = 1;
                        break;
                    case AnchorAlias alias:
                        var name = alias.Value.Value;
                        if (!anchors.TryGetValue(name, out added) || Contains(open, name))
                        {
                            return ConfigProblem.Error(At(current.Start), $"alias *{name} refers to an anchor that is not defined before it or that contains it (a cycle); define &{name} first, outside what uses it");
                        }

                        break;
                    default:
                        continue;
                }

                // Count the value in its parent (or the document); stop as soon as anything grows past the limit.
                var count = (open.Count > 0 ? open[^1].Size : total) + added;
                if (count > AuthConfigLoader.MaxNodes)
                {
                    return ConfigProblem.Error(At(current.Start), $"more than {AuthConfigLoader.MaxNodes} values, counting alias expansions; atmos.yaml needs far fewer");
                }

                if (open.Count > 0)
                {
                    open[^1] = open[^1] with { Size = count };
                }
                else
                {
                    total = count;
                }
            }

            return broken;
        }

        // Some malformed input (an unclosed flow mapping running into the next line, "...\ne") makes YamlDotNet's scanner
        // throw other exceptions than YamlException (InvalidOperationException, for one): report it at the scanner's
        // position like any syntax error.
        private bool MoveNext(Parser parser, Scanner scanner, out ConfigProblem? broken)
        {
            broken = null;
            try
            {
                return parser.MoveNext();
            }
            catch (Exception ex) when (ex is not (YamlException or OutOfMemoryException))
            {
                broken = ConfigProblem.Error(At(scanner.CurrentPosition), "invalid YAML: the parser cannot continue here (an unclosed {, [ or quote?); fix the syntax at this line");
                return false;
            }
        }

        // Whether an open mapping or sequence carries the anchor (a loop, not a lambda: a lambda capturing the alias's name
        // made the compiler allocate its closure for every event of the switch, 0.7 MB on a 1,000-identity atmos.yaml).
        private static bool Contains(List<(string? Anchor, long Size)> open, string anchor)
        {
            foreach (var (openAnchor, _) in open)
            {
                if (openAnchor == anchor)
                {
                    return true;
                }
            }

            return false;
        }

        private static string? AnchorOf(ParsingEvent current) =>
            current is NodeEvent { Anchor.IsEmpty: false } node ? node.Anchor.Value : null;

        private static void Define(Dictionary<string, long> anchors, string? anchor, long size)
        {
            if (anchor is not null)
            {
                anchors[anchor] = size;
            }
        }

        private SourceLocation At(Mark mark) => new(file, (int)mark.Line, (int)mark.Column);
    }
}
