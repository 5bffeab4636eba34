namespace Atmos.Plugins.Engine.Keyring;

/// <summary>
/// Puts a time limit on every call of another keyring (SPEC §4: default 3 s) and, once the keyring has proved
/// unavailable, fails every later call at once with the same reason, so a run with a hundred keyring steps and a dead
/// session bus still finishes in one timeout rather than a hundred.
/// </summary>
public sealed class BoundedKeyring : IKeyring
{
    private readonly IKeyring _inner;
    private readonly TimeSpan _timeout;
    private KeyringUnavailableException? _unavailable;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The real backend.</param>
    /// <param name="timeout">The limit for each call.</param>
    public BoundedKeyring(IKeyring inner, TimeSpan timeout)
    {
        _inner = inner;
        _timeout = timeout;
    }

    /// <summary>The default limit for one keyring call.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public string Backend => _inner.Backend;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Bound(ct => _inner.ListAsync(ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        Bound(ct => _inner.GetManyAsync(names, ct), cancellationToken);

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => Bound(ct => _inner.RemoveAsync(name, ct), cancellationToken);

    /// <inheritdoc />
    public Task SetAsync(string name, string secret, CancellationToken cancellationToken) =>
        Bound<bool>(
            async ct =>
            {
                await _inner.SetAsync(name, secret, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    private async Task<T> Bound<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _unavailable) is { } known)
        {
            // A fresh exception per call: one shared instance would have its stack trace rewritten by every throw.
            throw new KeyringUnavailableException(known.Reason, known.Fix, known);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        var token = limit.Token;
        var running = Task.Run(() => call(token), token);
        try
        {
            // WaitAsync returns on time even when the backend ignores the token or blocks its thread.
            return await running.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyringUnavailableException ex)
        {
            Interlocked.CompareExchange(ref _unavailable, ex, null);
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Observe(running);
            var timedOut = new KeyringUnavailableException(
                $"keyring did not answer within {_timeout.TotalSeconds:0.#} s",
                "check that the keyring daemon is running and unlocked, or set auth.keyring.type: file",
                ex);
            Interlocked.CompareExchange(ref _unavailable, timedOut, null);
            throw timedOut;
        }
        catch (OperationCanceledException)
        {
            Observe(running);
            throw;
        }
    }

    // A call abandoned on timeout or cancellation may still fail later; its exception is observed here so it does not
    // surface as an unobserved task exception.
    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
