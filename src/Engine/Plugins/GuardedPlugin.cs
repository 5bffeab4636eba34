using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>The result of one guarded call into a plugin: a value, or the reason the call failed.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly record struct PluginCall<T>(T? Value, string? Failure)
{
    /// <summary>Whether the call returned normally.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>
/// A loaded plugin behind a guard: every call runs with a time limit and any exception, hang or load failure becomes
/// a one-line failure naming the plugin, never an exception escaping into the host (SPEC §7).
/// </summary>
public sealed class GuardedPlugin
{
    private readonly IProviderPlugin? _plugin;
    private readonly TimeSpan _timeout;

    private GuardedPlugin(PluginDescriptor descriptor, IProviderPlugin? plugin, string? loadFailure, string cloud, TimeSpan timeout)
    {
        Descriptor = descriptor;
        _plugin = plugin;
        LoadFailure = loadFailure;
        Cloud = cloud;
        _timeout = timeout;
    }

    /// <summary>The plugin's manifest entry and metadata.</summary>
    public PluginDescriptor Descriptor { get; }

    /// <summary>The plugin's name.</summary>
    public string Name => Descriptor.Name;

    /// <summary>Why the plugin could not be loaded, or null when it is loaded.</summary>
    public string? LoadFailure { get; }

    /// <summary>The plugin's files folder name under <c>atmos/</c> (validated).</summary>
    public string Cloud { get; }

    /// <summary>Loads the plugin through <paramref name="loader"/>, turning any failure into <see cref="LoadFailure"/>.</summary>
    /// <param name="descriptor">The plugin.</param>
    /// <param name="loader">The host's loader.</param>
    /// <param name="timeout">The limit for each call.</param>
    public static GuardedPlugin Create(PluginDescriptor descriptor, IPluginLoader loader, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(loader);
        if (!descriptor.IsAvailable)
        {
            return new GuardedPlugin(descriptor, null, descriptor.Problem, string.Empty, timeout);
        }

        // Loading runs the plugin's constructor: third-party code, bounded like every other call.
        var path = descriptor.Entry.AssemblyPath;
        var (ending, plugin, error) = Bounded(() => loader.Load(descriptor), timeout, CancellationToken.None);
        var loadFailure = ending switch
        {
            Ending.TimedOut => $"loading {path} did not finish within {timeout.TotalSeconds:0.#} s",
            Ending.Threw => $"{Describe(error!)} (loading {path})",
            _ when plugin is null => $"the loader returned no plugin for {path}",
            _ => null,
        };
        if (loadFailure is not null)
        {
            return new GuardedPlugin(descriptor, null, loadFailure, string.Empty, timeout);
        }

        var probe = new GuardedPlugin(descriptor, plugin, null, string.Empty, timeout);
        var cloud = probe.Call("Cloud", p => p.Cloud);
        if (!cloud.Succeeded)
        {
            return new GuardedPlugin(descriptor, null, cloud.Failure, string.Empty, timeout);
        }

        if (string.IsNullOrEmpty(cloud.Value) || !cloud.Value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            return new GuardedPlugin(descriptor, null, $"its Cloud is '{cloud.Value}', which is not lower-case letters, digits and dashes", string.Empty, timeout);
        }

        return new GuardedPlugin(descriptor, plugin, null, cloud.Value, timeout);
    }

    /// <summary>Calls the plugin with the time limit, catching everything.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="operation">The member called, for the failure message.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Passed on by callers that have one; stops waiting.</param>
    public PluginCall<T> Call<T>(string operation, Func<IProviderPlugin, T> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_plugin is null)
        {
            return new PluginCall<T>(default, $"plugin '{Name}' is unavailable: {LoadFailure}");
        }

        var plugin = _plugin;
        var (ending, value, error) = Bounded(() => call(plugin), _timeout, cancellationToken);
        return ending switch
        {
            Ending.Returned => new PluginCall<T>(value, null),
            Ending.TimedOut => new PluginCall<T>(default, $"plugin '{Name}' did not finish {operation} within {_timeout.TotalSeconds:0.#} s"),
            Ending.Interrupted => new PluginCall<T>(default, $"interrupted while plugin '{Name}' was running {operation}"),
            _ => new PluginCall<T>(default, $"plugin '{Name}' failed in {operation}: {Describe(error!)}"),
        };
    }

    /// <summary>
    /// Calls the plugin with the time limit, handing it a token that is cancelled when the limit passes or
    /// <paramref name="cancellationToken"/> is cancelled, so a plugin that observes it can stop cleanly.
    /// </summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="operation">The member called, for the failure message.</param>
    /// <param name="call">The call, given the token to pass on.</param>
    /// <param name="cancellationToken">The run's token (Ctrl-C).</param>
    public PluginCall<T> Call<T>(string operation, Func<IProviderPlugin, CancellationToken, T> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        var result = Call(operation, p => call(p, limit.Token), cancellationToken);
        if (!result.Succeeded)
        {
            // Not disposed: a call abandoned at the time limit may still be watching the token.
            return result;
        }

        // A plugin that honours its token returns as soon as the limit cancels it, racing the guard's own wait: whatever
        // it returned after the limit, it did not finish its work within it.
        var timedOut = limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        limit.Dispose();
        return timedOut ? new PluginCall<T>(default, $"plugin '{Name}' did not finish {operation} within {_timeout.TotalSeconds:0.#} s") : result;
    }

    // Runs third-party code on the pool and stops waiting after the limit; a call that hangs is abandoned, not killed.
    private static (Ending Ending, T? Value, Exception? Error) Bounded<T>(Func<T> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = Task.Run(call, cancellationToken);
        try
        {
            return task.Wait(timeout, cancellationToken) ? (Ending.Returned, task.Result, null) : (Ending.TimedOut, default, null);
        }
        catch (OperationCanceledException)
        {
            return (Ending.Interrupted, default, null);
        }
        catch (AggregateException ex) when (ex.InnerException is { } inner)
        {
            return (Ending.Threw, default, inner);
        }
    }

    // A constructor that throws arrives wrapped by Activator; the inner exception is the one worth naming.
    private static string Describe(Exception ex) =>
        ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? Describe(inner) : $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";

    private enum Ending
    {
        Returned,
        TimedOut,
        Interrupted,
        Threw,
    }
}
