namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// How atmos turns an import path or a config folder into files (<c>SearchAtmosConfig</c> in
/// <c>pkg/config/imports.go</c>, globbing with doublestar): an existing file is itself; a folder means every
/// <c>**/*.yaml</c> and <c>**/*.yml</c> under it; a path without an extension means <c>path.yaml</c> and
/// <c>path.yml</c>; anything else is a glob (<c>*</c>, <c>?</c>, <c>[…]</c>, <c>{a,b}</c>, <c>**</c> for any number
/// of folders). Where <c>x.yaml</c> and <c>x.yml</c> both match, <c>x.yaml</c> wins; the files come shallowest first,
/// then by path.
/// </summary>
public static class ConfigGlob
{
    /// <summary>The files a path or pattern stands for, in merge order (empty when nothing matches).</summary>
    /// <param name="path">An absolute path, folder or pattern.</param>
    public static IReadOnlyList<string> Search(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            return [path];
        }

        var patterns = Directory.Exists(path)
            ? [Path.Join(path, "**", "*.yaml"), Path.Join(path, "**", "*.yml")]
            : Path.GetExtension(path).Length == 0 ? [path + ".yaml", path + ".yml"] : new[] { path };
        var found = patterns.SelectMany(Glob).Distinct(StringComparer.Ordinal).ToList();
        return Ordered(PreferYaml(found));
    }

    /// <summary>Files matching a doublestar pattern.</summary>
    /// <param name="pattern">An absolute pattern with <c>/</c> separators.</param>
    public static IEnumerable<string> Glob(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        foreach (var expanded in ExpandBraces(pattern.Replace('\\', '/')))
        {
            var segments = expanded.Split('/');
            var literal = 0;
            while (literal < segments.Length - 1 && !HasMeta(segments[literal]))
            {
                literal++;
            }

            var root = string.Join('/', segments[..literal]);
            if (root.Length == 0)
            {
                root = "/";
            }

            if (literal == segments.Length - 1 && !HasMeta(segments[literal]))
            {
                var single = Path.Join(root, segments[literal]);
                if (File.Exists(single))
                {
                    yield return single;
                }

                continue;
            }

            foreach (var match in Walk(root, segments, literal))
            {
                yield return match;
            }
        }
    }

    /// <summary>Whether a name matches one segment of a pattern (<c>*</c>, <c>?</c>, <c>[…]</c>, <c>\</c> escapes).</summary>
    /// <param name="pattern">The segment.</param>
    /// <param name="name">A file or folder name.</param>
    public static bool MatchSegment(string pattern, string name) => Match(pattern.AsSpan(), name.AsSpan());

    private static IEnumerable<string> Walk(string folder, string[] segments, int index)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var segment = segments[index];
        var last = index == segments.Length - 1;
        if (segment == "**")
        {
            if (last)
            {
                foreach (var file in Entries(folder, files: true, recursive: true))
                {
                    yield return file;
                }

                yield break;
            }

            // ** matches no folder at all, or any folder below (symbolic links to folders are not followed: no loops).
            foreach (var match in Walk(folder, segments, index + 1))
            {
                yield return match;
            }

            foreach (var sub in Entries(folder, files: false, recursive: true))
            {
                foreach (var match in Walk(sub, segments, index + 1))
                {
                    yield return match;
                }
            }

            yield break;
        }

        foreach (var entry in Entries(folder, files: last, recursive: false))
        {
            if (!MatchSegment(segment, Path.GetFileName(entry)))
            {
                continue;
            }

            if (last)
            {
                yield return entry;
            }
            else
            {
                foreach (var match in Walk(entry, segments, index + 1))
                {
                    yield return match;
                }
            }
        }
    }

    private static IEnumerable<string> Entries(string folder, bool files, bool recursive)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            // Linked files count; linked folders are not entered (a link back up would loop).
            AttributesToSkip = files && !recursive ? 0 : FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
            ReturnSpecialDirectories = false,
        };
        try
        {
            return (files ? Directory.EnumerateFiles(folder, "*", options) : Directory.EnumerateDirectories(folder, "*", options)).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool HasMeta(string segment) => segment.AsSpan().IndexOfAny("*?[{\\") >= 0;

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (pattern.Length > 0)
        {
            switch (pattern[0])
            {
                case '*':
                    pattern = pattern[1..];
                    for (var skip = 0; skip <= name.Length; skip++)
                    {
                        if (Match(pattern, name[skip..]))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (name.Length == 0)
                    {
                        return false;
                    }

                    break;
                case '[':
                    var close = pattern[1..].IndexOf(']');
                    if (close < 0 || name.Length == 0)
                    {
                        return false;
                    }

                    var set = pattern[1..(close + 1)];
                    var negate = set.Length > 0 && set[0] is '!' or '^';
                    if (InSet(negate ? set[1..] : set, name[0]) == negate)
                    {
                        return false;
                    }

                    pattern = pattern[(close + 2)..];
                    name = name[1..];
                    continue;
                case '\\' when pattern.Length > 1:
                    if (name.Length == 0 || name[0] != pattern[1])
                    {
                        return false;
                    }

                    pattern = pattern[2..];
                    name = name[1..];
                    continue;
                default:
                    if (name.Length == 0 || name[0] != pattern[0])
                    {
                        return false;
                    }

                    break;
            }

            pattern = pattern[1..];
            name = name[1..];
        }

        return name.Length == 0;
    }

    private static bool InSet(ReadOnlySpan<char> set, char c)
    {
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (c >= set[i] && c <= set[i + 2])
                {
                    return true;
                }

                i += 2;
            }
            else if (set[i] == c)
            {
                return true;
            }
        }

        return false;
    }

    // {a,b} alternatives, nested ones included, expanded into whole patterns.
    private static IEnumerable<string> ExpandBraces(string pattern)
    {
        var open = pattern.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            yield return pattern;
            yield break;
        }

        var depth = 0;
        var parts = new List<string>();
        var start = open + 1;
        for (var i = open; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '{':
                    depth++;
                    break;
                case ',' when depth == 1:
                    parts.Add(pattern[start..i]);
                    start = i + 1;
                    break;
                case '}':
                    depth--;
                    if (depth == 0)
                    {
                        parts.Add(pattern[start..i]);
                        foreach (var part in parts)
                        {
                            foreach (var expanded in ExpandBraces(pattern[..open] + part + pattern[(i + 1)..]))
                            {
                                yield return expanded;
                            }
                        }

                        yield break;
                    }

                    break;
            }
        }

        yield return pattern;
    }

    private static List<string> PreferYaml(List<string> files)
    {
        var yaml = files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).Select(f => f[..^5]).ToHashSet(StringComparer.Ordinal);
        return files.Where(f => !(f.EndsWith(".yml", StringComparison.Ordinal) && yaml.Contains(f[..^4]))).ToList();
    }

    private static List<string> Ordered(List<string> files)
    {
        files.Sort((a, b) =>
        {
            var byDepth = Depth(a).CompareTo(Depth(b));
            return byDepth != 0 ? byDepth : string.CompareOrdinal(a, b);
        });
        return files;
    }

    private static int Depth(string path) => (Path.GetDirectoryName(path) ?? string.Empty).Replace('\\', '/').Split('/').Length;
}
