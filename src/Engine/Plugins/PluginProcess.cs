using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.PluginHost.Protocol;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>A plugin that runs in a process of its own: the guard ends that process when it gives up on the plugin.</summary>
public interface IIsolatedPlugin
{
    /// <summary>Ends the plugin's process now, whatever it is doing. Idempotent.</summary>
    void Terminate();
}

/// <summary>The plugin's process ended while atmos was waiting for it: exited, crashed, or was stopped.</summary>
/// <param name="reason">What happened, such as "its process exited (exit code 3)".</param>
public sealed class PluginProcessEndedException(string reason) : Exception(reason);

/// <summary>An exception the plugin threw in its own process, as "Type: message".</summary>
/// <param name="described">The exception as its process described it.</param>
public sealed class RemotePluginException(string described) : Exception(described);

/// <summary>
/// A third-party plugin in <c>atmos-plugin-host</c>, seen as an <see cref="IProviderPlugin"/>: each member is one call
/// over the protocol (<see cref="PluginProtocol"/>), the contract's records crossing as data. One call at a time, as the
/// contract promises. When the process ends (it exited, overflowed its stack, failed fast, lost a thread to an exception,
/// or was stopped at the time limit), the waiting call and every later one throw <see cref="PluginProcessEndedException"/>
/// saying how it ended. Whatever the plugin writes to the console arrives on the process's standard error and goes to
/// the log sink as debug lines; its log channel arrives as log messages.
/// </summary>
internal sealed class PluginProcess : IProviderPlugin, IIsolatedPlugin, IDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly IPluginLogSink _logs;
    private readonly Stream _input;
    private readonly object _calls = new();
    private readonly object _state = new();
    private readonly object _lastWordsGate = new();
    private readonly TaskCompletionSource _errorDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<JsonElement>? _pending;
    private long _pendingId;
    private long _nextId;
    private string? _ended;
    private string? _crash;
    private string? _protocolProblem;
    private LastWords _lastWords;
    private string? _lastMessage;
    private bool _terminated;

    private PluginProcess(Process process, string name, IPluginLogSink logs)
    {
        _process = process;
        _name = name;
        _logs = logs;
        _input = process.StandardInput.BaseStream;
        new Thread(ReadAnswers) { IsBackground = true, Name = $"plugin {name} answers" }.Start();
        new Thread(ReadErrors) { IsBackground = true, Name = $"plugin {name} output" }.Start();
    }

    /// <summary>Starts <c>atmos-plugin-host</c> for one plugin and loads it there (its constructor runs in that process).</summary>
    /// <param name="executable">The host executable.</param>
    /// <param name="descriptor">The plugin.</param>
    /// <param name="variables">The run's environment variables (the process's own, or a test's).</param>
    /// <param name="workingDirectory">The run's working folder.</param>
    /// <param name="logs">Where the plugin's log lines and console output go.</param>
    /// <param name="started">Receives the process as soon as it runs, before the load (so a load that hangs can be stopped).</param>
    public static PluginProcess Start(string executable, PluginDescriptor descriptor, IReadOnlyDictionary<string, string> variables, string workingDirectory, IPluginLogSink logs, Action<PluginProcess> started)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.Exists(workingDirectory) ? workingDirectory : Path.GetTempPath(),
        };
        start.ArgumentList.Add(descriptor.Name);
        start.ArgumentList.Add(descriptor.Entry.AssemblyPath);
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var plugin = new PluginProcess(process, descriptor.Name, logs);
        started(plugin);
        plugin.Invoke(PluginProtocol.Load, json => json.WriteString("assembly", descriptor.Entry.AssemblyPath));
        return plugin;
    }

    /// <inheritdoc />
    public string Cloud => Invoke(PluginProtocol.Cloud, static _ => { }).GetString()!;

    /// <inheritdoc />
    public IEnumerable<string> ValidateProvider(ProviderTarget provider) =>
        Strings(Invoke(PluginProtocol.ValidateProvider, json => Argument(json, "provider", provider), PluginAnswers.MaxMessages, "problems"));

    /// <inheritdoc />
    public IEnumerable<string> ValidateIdentity(IdentityTarget identity) =>
        Strings(Invoke(PluginProtocol.ValidateIdentity, json => Argument(json, "identity", identity), PluginAnswers.MaxMessages, "problems"));

    /// <inheritdoc />
    public CredentialClass Classify(KeyringEntry entry) =>
        (CredentialClass)Invoke(PluginProtocol.Classify, json =>
        {
            json.WritePropertyName("entry");
            ContractJson.Write(json, entry);
        }).GetInt32();

    /// <inheritdoc />
    public IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        var value = Invoke(PluginProtocol.Plan, json => Argument(json, "request", request), PluginAnswers.MaxSteps, "steps");
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => ContractJson.ReadStep(e)!).ToList() : null!;
    }

    /// <inheritdoc />
    public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        var value = Invoke(
            PluginProtocol.Execute,
            json =>
            {
                json.WritePropertyName("step");
                ContractJson.Write(json, step);
                json.WritePropertyName("environment");
                ContractJson.Write(json, environment);
            },
            cancellationToken: cancellationToken);
        return ContractJson.ReadResult(value)!;
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request)
    {
        var value = Invoke(PluginProtocol.Inspect, json => Argument(json, "request", request), PluginAnswers.MaxArtifacts, "files");
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => ContractJson.ReadArtifact(e)!).ToList() : null!;
    }

    /// <inheritdoc />
    public void Terminate()
    {
        lock (_state)
        {
            _terminated = true;
        }

        try
        {
            _input.Dispose(); // the host kills itself when its input ends
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Stops the process. The <see cref="Process"/> object itself is left to its finalizer: the reader threads
    /// may still be asking it how the process ended.</summary>
    public void Dispose() => Terminate();

    // One call: send it, wait for its answer or for the process to end. A cancelled token sends a cancellation, which
    // the plugin sees on the token Execute was given; the guard stops the process itself when the limit passes.
    private JsonElement Invoke(string call, Action<Utf8JsonWriter> arguments, int max = 0, string? what = null, CancellationToken cancellationToken = default)
    {
        lock (_calls)
        {
            var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            long id;
            lock (_state)
            {
                if (_ended is not null)
                {
                    throw new PluginProcessEndedException(_ended);
                }

                id = ++_nextId;
                _pending = answer;
                _pendingId = id;
            }

            var line = PluginProtocol.Line(json =>
            {
                json.WriteNumber("id", id);
                json.WriteString("call", call);
                if (max > 0)
                {
                    json.WriteNumber("max", max);
                }

                arguments(json);
            });
            try
            {
                Send(line);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The process is gone or going: its end completes the answer with how it ended.
            }

            using var registration = cancellationToken.CanBeCanceled
                ? cancellationToken.Register(() => TrySend(PluginProtocol.Line(json => json.WriteNumber("cancel", id))))
                : default;
            var reply = answer.Task.GetAwaiter().GetResult();
            if (reply.TryGetProperty("error", out var error))
            {
                throw new RemotePluginException(error.GetString() ?? "an unknown error");
            }

            if (reply.TryGetProperty("over", out _))
            {
                throw new PluginAnswerException(PluginAnswers.TooMany(max, what ?? "items"));
            }

            return reply.GetProperty("value");
        }
    }

    private void Send(byte[] line)
    {
        lock (_input)
        {
            _input.Write(line);
            _input.Flush();
        }
    }

    private void TrySend(byte[] line)
    {
        try
        {
            Send(line);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Too late to cancel: the process is gone.
        }
    }

    private static void Argument(Utf8JsonWriter json, string name, ProviderTarget provider)
    {
        json.WritePropertyName(name);
        ContractJson.Write(json, provider);
    }

    private static void Argument(Utf8JsonWriter json, string name, IdentityTarget identity)
    {
        json.WritePropertyName(name);
        ContractJson.Write(json, identity);
    }

    private static void Argument(Utf8JsonWriter json, string name, PlanRequest request)
    {
        json.WritePropertyName(name);
        ContractJson.Write(json, request);
    }

    private static List<string> Strings(JsonElement value) => (ContractJson.ReadStrings(value) ?? null!)!;

    // The protocol's answers, log lines and crash notes, until the process closes its output (or floods it).
    private void ReadAnswers()
    {
        var reader = new BoundedLineReader(_process.StandardOutput.BaseStream, PluginProtocol.MaxLineBytes);
        try
        {
            while (reader.ReadLine() is { } line)
            {
                var message = JsonDocument.Parse(line).RootElement;
                if (message.TryGetProperty("id", out var id))
                {
                    lock (_state)
                    {
                        if (_pending is not null && _pendingId == id.GetInt64())
                        {
                            _pending.TrySetResult(message);
                            _pending = null;
                        }
                    }
                }
                else if (message.TryGetProperty("log", out var level))
                {
                    _logs.Write(_name, level.GetString() switch { "debug" => PluginLogLevel.Debug, "info" => PluginLogLevel.Info, _ => PluginLogLevel.Warning }, message.GetProperty("message").GetString() ?? string.Empty);
                }
                else if (message.TryGetProperty("crash", out var crash))
                {
                    lock (_state)
                    {
                        _crash = crash.GetString();
                    }
                }
                else if (message.TryGetProperty("hello", out _) && message.GetProperty("protocol").GetInt32() != PluginProtocol.Version)
                {
                    _protocolProblem = $"atmos-plugin-host speaks protocol {message.GetProperty("protocol").GetInt32()}, this atmos {PluginProtocol.Version}; reinstall atmos";
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong reading (a malformed line, a line too long, a log sink that failed), it ends the
            // conversation, never atmos: this is a thread of atmos's own.
            _protocolProblem = $"it broke the protocol ({ex.Message})";
        }

        Ended();
    }

    // How the process ended, once: the waiting call and every later one fail with it. Never throws (it runs at the end
    // of a reader thread, where an exception would end atmos).
    private void Ended()
    {
        try
        {
            if (_protocolProblem is not null || !_process.WaitForExit(2000))
            {
                Terminate();
            }

            _process.WaitForExit(2000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone: the exit code is all that can be missing.
        }

        _errorDone.Task.Wait(500); // the last words on standard error (a stack overflow's, a fail-fast message)
        string reason;
        lock (_state)
        {
            reason = _terminated ? "its process was stopped" : _protocolProblem ?? Reason();
            _ended = reason;
            _pending?.TrySetException(new PluginProcessEndedException(reason));
            _pending = null;
        }
    }

    // Why the process ended, from what it said before it did: the crash note, or the runtime's last words on standard
    // error, or only its exit code.
    private string Reason()
    {
        int code;
        try
        {
            code = _process.HasExited ? _process.ExitCode : -1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            code = -1;
        }

        lock (_lastWordsGate)
        {
            return (_crash, _lastWords) switch
            {
                ({ } crash, _) => $"an exception on one of its threads ended its process: {crash} (exit code {code})",
                (_, LastWords.StackOverflow) => $"its process ended with a stack overflow (exit code {code})",
                (_, LastWords.FailFast) => $"it called Environment.FailFast: {_lastMessage} (exit code {code})",
                (_, LastWords.Unhandled) => $"an exception ended its process: {_lastMessage} (exit code {code})",
                _ => $"its process exited (exit code {code})",
            };
        }
    }

    // The runtime's last words, as it prints them on standard error before it ends the process: "Stack overflow.",
    // "Process terminated." with the fail-fast message on the next line, "Unhandled exception. Type: message".
    private void Listen(string line)
    {
        if (_lastWords == LastWords.FailFast && _lastMessage is null)
        {
            _lastMessage = line.Trim();
        }
        else if (line.StartsWith("Stack overflow.", StringComparison.Ordinal))
        {
            _lastWords = LastWords.StackOverflow;
        }
        else if (line.StartsWith("Process terminated.", StringComparison.Ordinal))
        {
            _lastWords = LastWords.FailFast;
            var rest = line["Process terminated.".Length..].Trim();
            _lastMessage = rest.Length > 0 ? rest : null;
        }
        else if (line.StartsWith("Unhandled exception.", StringComparison.Ordinal) && _lastWords == LastWords.None)
        {
            _lastWords = LastWords.Unhandled;
            _lastMessage = line["Unhandled exception.".Length..].Trim();
        }
    }

    // The plugin's console output: each line to the log sink as console output, and listened to for Reason.
    private void ReadErrors()
    {
        var reader = new BoundedLineReader(_process.StandardError.BaseStream, 64 * 1024);
        try
        {
            while (true)
            {
                byte[]? bytes;
                try
                {
                    bytes = reader.ReadLine();
                }
                catch (ProtocolException)
                {
                    continue; // a line too long to keep: the rest of the output still counts
                }

                if (bytes is null)
                {
                    break;
                }

                var line = Encoding.UTF8.GetString(bytes).TrimEnd('\r');
                lock (_lastWordsGate)
                {
                    Listen(line.Length > 1000 ? line[..1000] : line);
                }

                _logs.Console(_name, line);
            }
        }
        catch (Exception)
        {
            // The process is gone (or the log sink failed): this thread of atmos's own must not end atmos.
        }
        finally
        {
            _errorDone.TrySetResult();
        }
    }

    private enum LastWords
    {
        None,
        StackOverflow,
        FailFast,
        Unhandled,
    }
}
