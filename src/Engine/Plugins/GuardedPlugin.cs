using Atmos.Plugins.Contracts;
using Atmos.Plugins.PluginHost;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>The result of one guarded call into a plugin: a value, or the reason the call failed.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly record struct PluginCall<T>(T? Value, string? Failure)
{
    /// <summary>Whether the call returned normally.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>
/// A loaded plugin behind a guard: every call runs with a time limit and any exception, hang, crash of the plugin's
/// process or load failure becomes a one-line failure naming the plugin, never an exception escaping into the host
/// (SPEC §7). Callers read and check the plugin's answer inside the call (<see cref="PluginAnswers"/>), so an answer
/// that throws or hangs when read is that call's failure too.
/// </summary>
/// <remarks>
/// The guard gives up on a plugin the first time a call overruns the limit, is interrupted, or its process ends: that
/// call fails, and every later call fails at once saying why, without asking the plugin. So a call abandoned at the
/// limit is never joined by another one on the same instance, and a plugin that hangs costs one time limit per run,
/// not one per step. A plugin in its own process (<see cref="IIsolatedPlugin"/>) is then stopped.
/// </remarks>
public sealed class GuardedPlugin : IDisposable
{
    private readonly IProviderPlugin? _plugin;
    private readonly TimeSpan _timeout;
    private readonly object _gate = new();
    private string? _givenUp;

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
            Ending.Threw when error is PluginProcessEndedException ended => $"{ended.Message} (loading {path})",
            Ending.Threw => $"{Describe(error!)} (loading {path})",
            _ when plugin is null => $"the loader returned no plugin for {path}",
            _ => null,
        };
        if (loadFailure is not null)
        {
            loader.Abandon(descriptor);
            return new GuardedPlugin(descriptor, null, loadFailure, string.Empty, timeout);
        }

        var probe = new GuardedPlugin(descriptor, plugin, null, string.Empty, timeout);
        var cloud = probe.Call("Cloud", p => p.Cloud);
        var problem = !cloud.Succeeded
            ? cloud.Failure
            : string.IsNullOrEmpty(cloud.Value) || !cloud.Value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
                ? $"its Cloud is '{cloud.Value}', which is not lower-case letters, digits and dashes"
                : null;
        if (problem is not null)
        {
            probe.Dispose();
            return new GuardedPlugin(descriptor, null, problem, string.Empty, timeout);
        }

        return new GuardedPlugin(descriptor, plugin, null, cloud.Value!, timeout);
    }

    /// <summary>Why no further call is made to this plugin in this run, or null while it is still asked.</summary>
    public string? GivenUp
    {
        get
        {
            lock (_gate)
            {
                return _givenUp;
            }
        }
    }

    /// <summary>Stops a plugin that runs in its own process; nothing for one in atmos's process.</summary>
    public void Dispose() => (_plugin as IIsolatedPlugin)?.Terminate();

    /// <summary>Calls the plugin with the time limit, catching everything.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="operation">The member called, for the failure message.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Passed on by callers that have one; stops waiting.</param>
    public PluginCall<T> Call<T>(string operation, Func<IProviderPlugin, T> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return CallEach<Func<IProviderPlugin, T>, T>(operation, [call], static (p, one) => one(p), cancellationToken)[0];
    }

    /// <summary>
    /// Calls the plugin once per item, in order, on one worker: the same time limit applies to every single call, but
    /// the host hands work to another thread once per batch instead of once per item (a config with a thousand
    /// providers validates in one hand-over). An exception fails only its own item. When one call overruns the limit
    /// the plugin is given up on: that item fails as timed out and the items after it fail without being asked.
    /// </summary>
    /// <typeparam name="TItem">What each call is about.</typeparam>
    /// <typeparam name="T">Each call's result.</typeparam>
    /// <param name="operation">The member called, for failure messages.</param>
    /// <param name="items">The items, one call each.</param>
    /// <param name="call">The call for one item.</param>
    /// <param name="cancellationToken">Stops waiting; items not yet answered fail as interrupted.</param>
    /// <returns>One result per item, in the items' order.</returns>
    public PluginCall<T>[] CallEach<TItem, T>(string operation, IReadOnlyList<TItem> items, Func<IProviderPlugin, TItem, T> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(call);
        var results = new PluginCall<T>[items.Count];
        if (_plugin is null)
        {
            Array.Fill(results, new PluginCall<T>(default, $"plugin '{Name}' is unavailable: {LoadFailure}"));
            return results;
        }

        if (GivenUp is { } givenUp)
        {
            Array.Fill(results, new PluginCall<T>(default, $"plugin '{Name}' was not asked: {givenUp}"));
            return results;
        }

        if (items.Count == 0)
        {
            return results;
        }

        var plugin = _plugin;
        var progress = new Progress();
        var crashedAt = -1;
        var worker = Task.Run(
            () =>
            {
                for (var i = 0; i < items.Count && progress.Begin(i); i++)
                {
                    try
                    {
                        results[i] = new PluginCall<T>(call(plugin, items[i]), null);
                    }
                    catch (PluginProcessEndedException ex)
                    {
                        // The process is gone: nothing after this item can be asked.
                        results[i] = new PluginCall<T>(default, $"plugin '{Name}' crashed in {operation}: {ex.Message}");
                        crashedAt = i;
                        break;
                    }
                    catch (PluginAnswerException ex)
                    {
                        results[i] = new PluginCall<T>(default, $"plugin '{Name}' {ex.Message}");
                    }
                    catch (Exception ex)
                    {
                        results[i] = new PluginCall<T>(default, $"plugin '{Name}' failed in {operation}: {Describe(ex)}");
                    }
                }

                _ = progress.Begin(items.Count);
            },
            CancellationToken.None);

        var (stopped, ending) = Wait(worker, progress, _timeout, cancellationToken);
        if (ending == Ending.Returned)
        {
            if (crashedAt >= 0)
            {
                GiveUp($"it crashed in {operation} earlier in this run");
                for (var i = crashedAt + 1; i < results.Length; i++)
                {
                    results[i] = new PluginCall<T>(default, $"plugin '{Name}' was not asked: it crashed in {operation} for an earlier entry");
                }
            }

            return results;
        }

        GiveUp(ending == Ending.Interrupted
            ? $"it was interrupted in {operation} earlier in this run"
            : $"it did not finish {operation} within {_timeout.TotalSeconds:0.#} s earlier in this run");

        // Given up on: the call that overran (or was running at Ctrl-C) and every later one. Results written before the
        // stop stand, copied out: the worker may still be inside the plugin and later write into its own array.
        var reported = new PluginCall<T>[results.Length];
        Array.Copy(results, reported, stopped);
        for (var i = stopped; i < reported.Length; i++)
        {
            reported[i] = ending == Ending.Interrupted
                ? new PluginCall<T>(default, $"interrupted while plugin '{Name}' was running {operation}")
                : i == stopped
                    ? new PluginCall<T>(default, $"plugin '{Name}' did not finish {operation} within {_timeout.TotalSeconds:0.#} s")
                    : new PluginCall<T>(default, $"plugin '{Name}' was not asked: it did not finish {operation} for an earlier entry within {_timeout.TotalSeconds:0.#} s");
        }

        return reported;
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
        // it returned after the limit, it did not finish its work within it (and is given up on like one that hung).
        var timedOut = limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        limit.Dispose();
        if (!timedOut)
        {
            return result;
        }

        GiveUp($"it did not finish {operation} within {_timeout.TotalSeconds:0.#} s earlier in this run");
        return new PluginCall<T>(default, $"plugin '{Name}' did not finish {operation} within {_timeout.TotalSeconds:0.#} s");
    }

    // No further call: the first reason stands. A plugin in its own process is stopped, which also ends the call that
    // was abandoned (its worker then returns with the process's end).
    private void GiveUp(string reason)
    {
        lock (_gate)
        {
            _givenUp ??= reason;
        }

        (_plugin as IIsolatedPlugin)?.Terminate();
    }

    // Waits for a batch worker, giving each call the full limit from the moment it began. Returns the index of the call
    // that was running when waiting stopped, and why it stopped.
    private static (int Stopped, Ending Ending) Wait(Task worker, Progress progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var (index, began) = progress.Current;
                var remaining = timeout - System.Diagnostics.Stopwatch.GetElapsedTime(began);
                if (remaining <= TimeSpan.Zero)
                {
                    if (progress.TryAbandon(index))
                    {
                        return (index, Ending.TimedOut);
                    }

                    continue; // the call finished just now: the next one has its own limit
                }

                if (worker.Wait(remaining, cancellationToken))
                {
                    return (0, Ending.Returned);
                }
            }
        }
        catch (OperationCanceledException)
        {
            while (true)
            {
                var (index, _) = progress.Current;
                if (progress.TryAbandon(index))
                {
                    return (index, Ending.Interrupted);
                }
            }
        }
    }

    // Which call of a batch is running and since when; once abandoned, the worker starts no further call.
    private sealed class Progress
    {
        private readonly object _gate = new();
        private int _index;
        private long _began = System.Diagnostics.Stopwatch.GetTimestamp();
        private bool _abandoned;

        public (int Index, long Began) Current
        {
            get
            {
                lock (_gate)
                {
                    return (_index, _began);
                }
            }
        }

        // The worker starts call `index` (or, at the end, reports it is done); false once the host has given up.
        public bool Begin(int index)
        {
            lock (_gate)
            {
                if (_abandoned)
                {
                    return false;
                }

                _index = index;
                _began = System.Diagnostics.Stopwatch.GetTimestamp();
                return true;
            }
        }

        // Gives up at call `index` unless the worker has moved past it meanwhile.
        public bool TryAbandon(int index)
        {
            lock (_gate)
            {
                if (_index != index)
                {
                    return false;
                }

                _abandoned = true;
                return true;
            }
        }
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

    // "Type: message" on one line, the inner exception of a constructor's wrapper, as the plugin process words it too.
    private static string Describe(Exception ex) =>
        ex is RemotePluginException remote ? remote.Message : PluginServer.Describe(ex);

    private enum Ending
    {
        Returned,
        TimedOut,
        Interrupted,
        Threw,
    }
}
