using System.Diagnostics;
using System.Text;

namespace Atmos.Plugins.Engine.Keyring;

/// <summary>What a finished process reported.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs a helper program to completion, feeding stdin and capturing both outputs, killed on cancellation.</summary>
internal static class ExternalProcess
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Runs <paramref name="start"/> and waits for it to exit.</summary>
    /// <param name="start">The program, its arguments and environment; redirection is set here.</param>
    /// <param name="standardInput">Text written to stdin, which is then closed; null leaves stdin alone.</param>
    /// <param name="cancellationToken">Kills the process tree and throws when cancelled.</param>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo start, string? standardInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Utf8;
        start.StandardErrorEncoding = Utf8;
        start.RedirectStandardInput = standardInput is not null;
        if (standardInput is not null)
        {
            start.StandardInputEncoding = Utf8;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            if (standardInput is not null)
            {
                await WriteInputAsync(process, standardInput, cancellationToken).ConfigureAwait(false);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    // A program that fails early exits without reading its input; the broken pipe is not the error, its exit code
    // and stderr are.
    private static async Task WriteInputAsync(Process process, string standardInput, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            try
            {
                process.StandardInput.Dispose();
            }
            catch (IOException)
            {
                // The pipe is already broken; nothing left to flush.
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
