using System.Diagnostics;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>Runs the published atmos in a temp HOME with a memory keyring and no colour.</summary>
public static class AtmosProcess
{
    /// <summary>The environment for a run in <paramref name="home"/>.</summary>
    public static Dictionary<string, string> Environment(TempHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return new(StringComparer.Ordinal)
        {
            ["HOME"] = home.Home,
            ["XDG_CONFIG_HOME"] = string.Empty,
            ["ATMOS_XDG_CONFIG_HOME"] = string.Empty,
            ["ATMOS_KEYRING_TYPE"] = "memory",
            ["ATMOS_PLUGINS_MANIFEST"] = string.Empty,
            ["ATMOS_LOCK_TIMEOUT"] = "60s",
            ["NO_COLOR"] = "1",
        };
    }

    /// <summary>Runs atmos to completion.</summary>
    public static Processes.Outcome Run(PublishedAtmos atmos, TempHome home, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(atmos);
        ArgumentNullException.ThrowIfNull(home);
        return Processes.Run(atmos.Executable, args, Environment(home), home.Root);
    }

    /// <summary>Starts atmos without waiting (its output is discarded).</summary>
    public static Process Start(PublishedAtmos atmos, TempHome home, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(atmos);
        ArgumentNullException.ThrowIfNull(home);
        var start = new ProcessStartInfo(atmos.Executable, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = home.Root,
        };
        foreach (var (key, value) in Environment(home))
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
