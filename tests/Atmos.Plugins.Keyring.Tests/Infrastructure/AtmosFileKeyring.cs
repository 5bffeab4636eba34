using System.Text.Json;

namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>
/// Keyring folders as atmos's own file backend (99designs/keyring FileBackend) writes them, from the files the real Go
/// library wrote (<c>File/Fixtures/atmos-file-keyrings.json</c>, see the README beside it).
/// </summary>
public sealed class AtmosFileKeyring
{
    private static readonly Lazy<IReadOnlyDictionary<string, AtmosFileKeyring>> All = new(Load);

    private AtmosFileKeyring(string password, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string> values)
    {
        Password = password;
        Files = files;
        Values = values;
    }

    /// <summary>Every key form (legacy, atmos_, realm), names that need escaping, a value that is not an envelope.</summary>
    public static AtmosFileKeyring Atmos => All.Value["atmos"];

    /// <summary>One entry under a password outside ASCII.</summary>
    public static AtmosFileKeyring UnicodePassword => All.Value["unicode-password"];

    /// <summary>The password the entries were written with.</summary>
    public string Password { get; }

    /// <summary>File name to exact file content.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>Key to the value stored under it.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>Writes the files into <paramref name="folder"/> (created if needed) byte for byte, mode 0600 as 99designs writes them.</summary>
    /// <param name="folder">The keyring folder.</param>
    /// <param name="only">File names to write; all when empty.</param>
    public void WriteTo(string folder, params string[] only)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files)
        {
            if (only.Length > 0 && !only.Contains(name))
            {
                continue;
            }

            var path = Path.Combine(folder, name);
            File.WriteAllText(path, content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    private static IReadOnlyDictionary<string, AtmosFileKeyring> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "File", "Fixtures", "atmos-file-keyrings.json")));
        var keyrings = new Dictionary<string, AtmosFileKeyring>(StringComparer.Ordinal);
        foreach (var keyring in document.RootElement.GetProperty("keyrings").EnumerateObject())
        {
            keyrings[keyring.Name] = new AtmosFileKeyring(
                keyring.Value.GetProperty("password").GetString()!,
                Strings(keyring.Value.GetProperty("files")),
                Strings(keyring.Value.GetProperty("values")));
        }

        return keyrings;

        static Dictionary<string, string> Strings(JsonElement element) =>
            element.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetString()!, StringComparer.Ordinal);
    }
}
