using System.Diagnostics;

namespace Atmos.Plugins.Tests.Support;

/// <summary>
/// A command running in a real pseudo-terminal: a private tmux server (its own socket, nothing shared with the user's
/// tmux) with one window of a fixed size. Keys go in with send-keys, the screen comes out with capture-pane, and the
/// command's exit code is written to a marker file because the pane outlives it.
/// </summary>
public sealed class TmuxSession : IDisposable
{
    public const string Program = "/usr/bin/tmux";

    private readonly string _folder;
    private readonly string _socket;
    private readonly string _exitMarker;

    private TmuxSession(string folder)
    {
        _folder = folder;
        _socket = Path.Join(folder, "tmux.sock");
        _exitMarker = Path.Join(folder, "exit-code");
    }

    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/> in a <paramref name="width"/>×<paramref name="height"/>
    /// terminal with only <paramref name="environment"/> (plus PATH, DOTNET_ROOT and TERM).
    /// </summary>
    public static TmuxSession Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, int width = 100, int height = 30)
    {
        var session = new TmuxSession(Directory.CreateTempSubdirectory("atmos-tmux-").FullName);
        var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["TERM"] = "xterm-256color",
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            variables["DOTNET_ROOT"] = dotnetRoot;
        }

        // The pane stays open after the command so its last screen can be read; the exit code goes to the marker file.
        // Ctrl-C reaches the whole foreground group, the shell too: a trap (reset to the default in the command) keeps
        // the shell alive to record the command's exit code.
        var command = string.Join(' ', ["env", "-i", .. variables.Select(v => Quote($"{v.Key}={v.Value}")), Quote(executable), .. arguments.Select(Quote)]);
        var script = $"trap : INT; cd {Quote(workingDirectory)} && {command}; echo $? > {Quote(session._exitMarker)}; exec sleep 600";
        session.Tmux("-u", "new-session", "-d", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "sh", "-c", script);
        return session;
    }

    /// <summary>The visible screen, trailing blanks removed.</summary>
    public IReadOnlyList<string> Screen()
    {
        var lines = Tmux("capture-pane", "-p").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>Presses keys, in tmux's names (Down, Up, Enter, Escape, C-c).</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", .. keys]);

    /// <summary>Waits until the screen shows a line equal to <paramref name="line"/>, returning the screen.</summary>
    public async Task<IReadOnlyList<string>> WaitForLine(string line, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var screen = Screen();
            if (screen.Contains(line))
            {
                return screen;
            }

            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException($"the screen never showed \"{line}\"; it shows:\n{string.Join('\n', screen)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the command to exit and returns its exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(_exitMarker) || new FileInfo(_exitMarker).Length == 0)
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"the command did not exit; the screen shows:\n{string.Join('\n', Screen())}");
            }

            await Task.Delay(50);
        }

        // Let the terminal settle: output written just before exit is on the screen.
        await Task.Delay(100);
        return int.Parse(File.ReadAllText(_exitMarker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Directory.Delete(_folder, recursive: true);
    }

    private string Tmux(params string[] arguments)
    {
        var start = new ProcessStartInfo(Program, ["-S", _socket, "-f", "/dev/null", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("TMUX");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        }

        return output.Result;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
