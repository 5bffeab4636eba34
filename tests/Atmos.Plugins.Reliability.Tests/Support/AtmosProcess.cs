using System.Diagnostics;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>Runs the published atmos in a temp HOME with a memory keyring and no colour.</summary>
public static class AtmosProcess
{
    /// <summary>The environment for a run in <paramref name="home"/>.</summary>
    public static Dictionary<string, string> Environment(TempHome home)
    {
        var environment = Processes.IsolatedEnvironment(home);
        environment["ATMOS_KEYRING_TYPE"] = "memory";
        environment["ATMOS_LOCK_TIMEOUT"] = "60s";
        return environment;
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
