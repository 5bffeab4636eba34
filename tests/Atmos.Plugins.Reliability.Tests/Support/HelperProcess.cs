using System.Diagnostics;
using System.Reflection;
using Atmos.Plugins.Reliability.Helper;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>The helper program (tests/Atmos.Plugins.Reliability.Helper), started as a separate process.</summary>
public sealed class HelperProcess : IDisposable
{
    private readonly Process _process;

    private HelperProcess(Process process) => _process = process;

    /// <summary>The helper's build output.</summary>
    public static string Executable =>
        Path.Join(typeof(HelperProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HelperOutputDir").Value!, "Atmos.Plugins.Reliability.Helper");

    /// <summary>Standard output after the "ready" line.</summary>
    public StreamReader Output => _process.StandardOutput;

    /// <summary>Starts the helper and waits until it prints "ready".</summary>
    /// <param name="args">Its arguments.</param>
    public static HelperProcess Start(params string[] args)
    {
        var process = Process.Start(new ProcessStartInfo(Executable, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var helper = new HelperProcess(process);
        var line = process.StandardOutput.ReadLine();
        if (line != HelperProtocol.Ready)
        {
            process.WaitForExit(5000);
            throw new InvalidOperationException($"the helper did not start: {line} {process.StandardError.ReadToEnd()}");
        }

        return helper;
    }

    /// <summary>Kills the helper with SIGKILL and waits until it is gone.</summary>
    public void KillHard()
    {
        try
        {
            _process.Kill(); // SIGKILL on Unix: no handler, no finally block, no flush runs
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        _process.WaitForExit();
    }

    /// <summary>Sends one command line to the helper (<c>swap</c> mode: <c>go</c>, <c>stop</c>).</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the helper's standard input (the "stop" signal of <c>append</c>) and waits for its exit code.</summary>
    public int Finish(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(timeout))
        {
            KillHard();
            throw new TimeoutException("the helper did not finish");
        }

        return _process.ExitCode;
    }

    /// <summary>Whether it has exited on its own.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its standard error, once it has exited.</summary>
    public string Errors => _process.StandardError.ReadToEnd();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }
}
