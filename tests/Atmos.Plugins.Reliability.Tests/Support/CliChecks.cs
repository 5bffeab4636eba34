using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>What every run of the CLI on bad input must look like: a clean exit, never a trace or a hang.</summary>
public static class CliChecks
{
    /// <summary>No run may take longer (a hang is a failure, not a slow test).</summary>
    public static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(30);

    /// <summary>Runs the CLI in-process, failing when it takes longer than <see cref="RunLimit"/>.</summary>
    public static async Task<CliResult> RunBounded(this CliRun cli, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var run = cli.RunAsync(args);
        try
        {
            return await run.WaitAsync(RunLimit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"atmos {string.Join(' ', args)} hung for {RunLimit.TotalSeconds} s");
        }
    }

    /// <summary>
    /// Exit 0 (the input happened to be valid) or 2 with the error on the first line of standard error; no stack
    /// trace, no exception text, no control character but the newline anywhere in the output.
    /// </summary>
    /// <param name="exitCode">The exit code.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="input">What was fed in, for the failure message.</param>
    /// <param name="errorStart">How the error line of a usage or configuration error starts.</param>
    /// <param name="partialAllowed">Whether exit 1 (some steps failed, reported as such) is a clean outcome too.</param>
    public static void AssertCleanOutcome(int exitCode, string stdout, string stderr, string input, string errorStart = "Error: ", bool partialAllowed = false)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var context = $"input: {Shorten(input)}\nexit {exitCode}\nstderr:\n{Shorten(stderr)}\nstdout:\n{Shorten(stdout)}";
        Assert.True(exitCode is 0 or 2 || (partialAllowed && exitCode == 1), $"exit code {exitCode} (expected 0{(partialAllowed ? ", 1" : string.Empty)} or 2)\n{context}");
        foreach (var text in new[] { stdout, stderr })
        {
            Assert.False(text.Contains("   at ", StringComparison.Ordinal), $"a stack trace was printed\n{context}");
            Assert.False(text.Contains("Exception", StringComparison.Ordinal), $"an exception was printed\n{context}");
            Assert.False(text.Any(c => char.IsControl(c) && c != '\n'), $"a control character was printed\n{context}");
        }

        if (exitCode == 2)
        {
            Assert.True(stderr.StartsWith(errorStart, StringComparison.Ordinal) || stderr.Contains('\n' + errorStart, StringComparison.Ordinal), $"exit 2 without an error line starting with '{errorStart}'\n{context}");
        }
    }

    /// <summary>The same for an in-process result.</summary>
    public static void AssertCleanOutcome(CliResult result, string input, string errorStart = "Error: ", bool partialAllowed = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        AssertCleanOutcome(result.ExitCode, result.Stdout, result.Stderr, input, errorStart, partialAllowed);
    }

    private static string Shorten(string text) =>
        (text.Length > 1500 ? text[..1500] + $"… ({text.Length} chars)" : text).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
}
