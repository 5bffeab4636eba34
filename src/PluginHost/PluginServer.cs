using System.Reflection;
using System.Text.Json;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.PluginHost.Protocol;

namespace Atmos.Plugins.PluginHost;

/// <summary>
/// Answers atmos's calls with one plugin, in this process. Every answer is read whole here, inside the call: a list the
/// plugin returns is enumerated (at most one item past the call's limit) and serialized before anything is sent, so an
/// enumerable that throws is this call's error, and one that hangs or never ends is this call's time-out, never atmos's
/// problem.
/// </summary>
internal sealed class PluginServer
{
    private readonly ProtocolWriter _writer;
    private readonly PluginLog _log;
    private readonly object _gate = new();
    private IProviderPlugin? _plugin;
    private (long Id, CancellationTokenSource Source)? _running;

    public PluginServer(ProtocolWriter writer)
    {
        _writer = writer;
        _log = new PluginLog((level, message) => writer.Send(json =>
        {
            json.WriteString("log", level switch { PluginLogLevel.Debug => "debug", PluginLogLevel.Info => "info", _ => "warning" });
            json.WriteString("message", message);
        }));
    }

    /// <summary>Cancels the call <paramref name="id"/> if it is still running (the token <c>Execute</c> was given).</summary>
    public void Cancel(long id)
    {
        lock (_gate)
        {
            if (_running is { } running && running.Id == id)
            {
                running.Source.Cancel();
            }
        }
    }

    /// <summary>Runs one call and sends its answer.</summary>
    public void Handle(JsonElement call)
    {
        var id = call.GetProperty("id").GetInt64();
        byte[] answer;
        using var cancellation = new CancellationTokenSource();
        lock (_gate)
        {
            _running = (id, cancellation);
        }

        try
        {
            answer = PluginProtocol.Line(json =>
            {
                json.WriteNumber("id", id);
                Answer(json, call, cancellation.Token);
            });
        }
        catch (Exception ex)
        {
            answer = PluginProtocol.Line(json =>
            {
                json.WriteNumber("id", id);
                json.WriteString("error", Describe(ex));
            });
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }

        _writer.Send(answer);
    }

    private void Answer(Utf8JsonWriter json, JsonElement call, CancellationToken cancellationToken)
    {
        var name = call.GetProperty("call").GetString();
        if (name == PluginProtocol.Load)
        {
            var assembly = PluginAssemblies.LoadAssembly(call.GetProperty("assembly").GetString()!);
            var problems = PluginAssemblies.ClosureProblems(assembly, HostOwned());
            if (problems.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", problems));
            }

            _plugin = PluginAssemblies.Create(assembly);
            json.WriteBoolean("value", true);
            return;
        }

        var plugin = _plugin ?? throw new InvalidOperationException("no plugin is loaded");
        var max = call.TryGetProperty("max", out var limit) ? limit.GetInt32() : int.MaxValue;
        switch (name)
        {
            case PluginProtocol.Cloud:
                json.WriteString("value", plugin.Cloud);
                break;
            case PluginProtocol.ValidateProvider:
                List(json, plugin.ValidateProvider(ContractJson.ReadProvider(call.GetProperty("provider"))), max, static (w, m) => w.WriteStringValue(m));
                break;
            case PluginProtocol.ValidateIdentity:
                List(json, plugin.ValidateIdentity(ContractJson.ReadIdentity(call.GetProperty("identity"))), max, static (w, m) => w.WriteStringValue(m));
                break;
            case PluginProtocol.Classify:
                json.WriteNumber("value", (int)plugin.Classify(ContractJson.ReadKeyringEntry(call.GetProperty("entry"))));
                break;
            case PluginProtocol.Plan:
                List(json, plugin.Plan(ContractJson.ReadPlanRequest(call.GetProperty("request"), _log)), max, ContractJson.Write);
                break;
            case PluginProtocol.Inspect:
                List(json, plugin.Inspect(ContractJson.ReadPlanRequest(call.GetProperty("request"), _log)), max, ContractJson.Write);
                break;
            case PluginProtocol.Execute:
                var step = ContractJson.ReadStep(call.GetProperty("step"))!;
                var environment = ContractJson.ReadEnvironment(call.GetProperty("environment"), _log);
                json.WritePropertyName("value");
                ContractJson.Write(json, plugin.Execute(step, environment, cancellationToken));
                break;
            default:
                throw new InvalidOperationException($"atmos-plugin-host does not know the call '{name}'");
        }
    }

    private static void List<T>(Utf8JsonWriter json, IEnumerable<T>? items, int max, Action<Utf8JsonWriter, T> write)
    {
        if (items is null)
        {
            json.WriteNull("value");
            return;
        }

        var read = items.Take(max + 1).ToList();
        if (read.Count > max)
        {
            json.WriteNumber("over", max);
            return;
        }

        json.WriteStartArray("value");
        foreach (var item in read)
        {
            write(json, item);
        }

        json.WriteEndArray();
    }

    // The assemblies this process carries besides the framework and the contract: a plugin dependency resolving to one
    // of them was not found in the plugin's own folder.
    private static HashSet<string> HostOwned() =>
        new(StringComparer.OrdinalIgnoreCase)
        {
            typeof(PluginServer).Assembly.GetName().Name!,
            typeof(McMaster.NETCore.Plugins.Loader.AssemblyLoadContextBuilder).Assembly.GetName().Name!,
        };

    /// <summary>An exception as "Type: message" on one line (the inner one of a constructor's wrapper).</summary>
    public static string Describe(object? exception)
    {
        if (exception is TargetInvocationException { InnerException: { } inner })
        {
            return Describe(inner);
        }

        if (exception is not Exception ex)
        {
            return "an unknown error";
        }

        try
        {
            return $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";
        }
        catch (Exception)
        {
            return ex.GetType().Name;
        }
    }
}

/// <summary>Writes whole lines to the protocol stream, one at a time whichever thread sends (answers, the plugin's log lines).</summary>
internal sealed class ProtocolWriter(Stream output)
{
    private readonly object _gate = new();

    public void Send(Action<Utf8JsonWriter> write) => Send(PluginProtocol.Line(write));

    public void Send(byte[] line)
    {
        lock (_gate)
        {
            output.Write(line);
            output.Flush();
        }
    }
}
