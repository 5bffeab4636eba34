namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>Finds helper programs on PATH, so tests that need them can skip with a reason when they are missing.</summary>
internal static class Tools
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The names in <paramref name="names"/> that are not on PATH.</summary>
    public static IReadOnlyList<string> Missing(params string[] names) => names.Where(name => Find(name) is null).ToList();
}
