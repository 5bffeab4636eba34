using Atmos.Plugins.Contracts;
using Atmos.Plugins.PluginHost.Protocol;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>
/// Loads each plugin in a process of its own: starts <c>atmos-plugin-host</c> (beside atmos) and loads the plugin
/// there. Every process it started is stopped when it is disposed, and when atmos's own process exits.
/// </summary>
public sealed class PluginProcessLoader : IPluginLoader, IDisposable
{
    private readonly string _installFolder;
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly string _workingDirectory;
    private readonly IPluginLogSink _logs;
    private readonly Dictionary<string, PluginProcess> _started = new(StringComparer.Ordinal);
    private readonly EventHandler _onExit;

    /// <summary>Creates the loader.</summary>
    /// <param name="installFolder">atmos's folder, which holds <c>atmos-plugin-host</c>.</param>
    /// <param name="variables">The run's environment variables, handed to each plugin's process.</param>
    /// <param name="workingDirectory">The run's working folder.</param>
    /// <param name="logs">Where the plugins' log lines and console output go.</param>
    public PluginProcessLoader(string installFolder, IReadOnlyDictionary<string, string> variables, string workingDirectory, IPluginLogSink logs)
    {
        _installFolder = installFolder;
        _variables = variables;
        _workingDirectory = workingDirectory;
        _logs = logs;
        _onExit = (_, _) => Dispose();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    /// <inheritdoc />
    public IProviderPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var executable = Path.Join(_installFolder, PluginProtocol.ExecutableName);
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"{executable}, which runs plugins in a process of their own, is missing; reinstall atmos");
        }

        return PluginProcess.Start(executable, descriptor, _variables, _workingDirectory, _logs, started =>
        {
            lock (_started)
            {
                _started[descriptor.Name] = started;
            }
        });
    }

    /// <inheritdoc />
    public void Abandon(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (_started)
        {
            if (_started.Remove(descriptor.Name, out var process))
            {
                process.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        lock (_started)
        {
            foreach (var process in _started.Values)
            {
                process.Dispose();
            }

            _started.Clear();
        }
    }
}

/// <summary>Loads each plugin with the loader its descriptor calls for: in atmos's process, or in one of its own.</summary>
/// <param name="inProcess">Loads the plugins shipped with atmos.</param>
/// <param name="isolated">Loads every other plugin in a process of its own.</param>
public sealed class PluginLoaders(IPluginLoader inProcess, IPluginLoader isolated) : IPluginLoader, IDisposable
{
    /// <inheritdoc />
    public IProviderPlugin Load(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return (descriptor.Isolated ? isolated : inProcess).Load(descriptor);
    }

    /// <inheritdoc />
    public void Abandon(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        (descriptor.Isolated ? isolated : inProcess).Abandon(descriptor);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        (inProcess as IDisposable)?.Dispose();
        (isolated as IDisposable)?.Dispose();
    }
}
