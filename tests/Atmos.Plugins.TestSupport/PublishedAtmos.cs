using System.Diagnostics;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// The published `atmos` (ReadyToRun, with plugins/ and plugins.json), as users get it. `scripts/test` publishes it once
/// and passes ATMOS_TEST_PUBLISHED_DIR; without it the fixture publishes into a temp folder itself.
/// </summary>
public sealed class PublishedAtmos : IDisposable
{
    private readonly string? _ownFolder;

    public PublishedAtmos()
    {
        var given = Environment.GetEnvironmentVariable("ATMOS_TEST_PUBLISHED_DIR");
        if (!string.IsNullOrEmpty(given) && File.Exists(Path.Join(given, "atmos")))
        {
            Folder = given;
            return;
        }

        _ownFolder = Directory.CreateTempSubdirectory("atmos-published-").FullName;
        Folder = Path.Join(_ownFolder, "atmos");
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Join(RepoPaths.Root, "src", "Host"), "-c", "Release", "-o", Folder, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({publish.ExitCode}): {output.Result}{errors.Result}");
        }
    }

    /// <summary>The publish folder.</summary>
    public string Folder { get; }

    /// <summary>The executable.</summary>
    public string Executable => Path.Join(Folder, "atmos");

    public void Dispose()
    {
        if (_ownFolder is not null)
        {
            Directory.Delete(_ownFolder, recursive: true);
        }
    }
}

/// <summary>Runs a program and captures its output.</summary>
public static class Processes
{
    /// <summary>
    /// The environment of an `atmos` process in a temp HOME: none of the developer's own config folders, plugin manifest
    /// or audit trail leaks in, and no colour. The audit trail goes beside HOME, so fingerprints of HOME check
    /// credentials only; callers add or override the rest (keyring type, bus address...).
    /// </summary>
    public static Dictionary<string, string> IsolatedEnvironment(TempHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = home.Home,
            ["XDG_CONFIG_HOME"] = string.Empty,
            ["ATMOS_XDG_CONFIG_HOME"] = string.Empty,
            ["XDG_STATE_HOME"] = Path.Join(home.Root, "state"),
            ["ATMOS_XDG_STATE_HOME"] = string.Empty,
            ["ATMOS_PLUGINS_MANIFEST"] = string.Empty,
            ["ATMOS_LOGS_LEVEL"] = string.Empty,
            ["NO_COLOR"] = "1",
        };
    }

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<string> Lines => Stderr.TrimEnd('\n').Split('\n');
    }

    public static Outcome Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }
}
