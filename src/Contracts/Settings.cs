using System.Collections;

namespace Atmos.Plugins.Contracts;

/// <summary>
/// The settings of a provider or identity as written in <c>atmos.yaml</c>: a read-only map whose values are
/// <see cref="string"/>, <see cref="Settings"/> (a nested map), <see cref="IReadOnlyList{T}"/> of those, or null.
/// </summary>
public sealed class Settings : IReadOnlyDictionary<string, object?>
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    /// <summary>Wraps a map of settings.</summary>
    /// <param name="values">Keys and values; values are strings, nested <see cref="Settings"/>, lists, or null.</param>
    public Settings(IReadOnlyDictionary<string, object?> values) => _values = values;

    /// <summary>No settings.</summary>
    public static Settings Empty { get; } = new(new Dictionary<string, object?>());

    /// <summary>The string at a dotted path such as <c>spec.files.base_path</c>, or null when absent or not a string.</summary>
    /// <param name="path">Keys separated by dots.</param>
    public string? GetString(string path) => Find(path) as string;

    /// <summary>The nested map at a dotted path, or null when absent or not a map.</summary>
    /// <param name="path">Keys separated by dots.</param>
    public Settings? GetSection(string path) => Find(path) as Settings;

    private object? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // Walked key by key without splitting the path (planning asks this thousands of times with --all).
        object? current = this;
        var start = 0;
        while (true)
        {
            var dot = path.IndexOf('.', start);
            var key = dot < 0 ? (start == 0 ? path : path[start..]) : path[start..dot];
            if (current is not Settings map || !map._values.TryGetValue(key, out current))
            {
                return null;
            }

            if (dot < 0)
            {
                return current;
            }

            start = dot + 1;
        }
    }

    /// <inheritdoc />
    public object? this[string key] => _values[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
