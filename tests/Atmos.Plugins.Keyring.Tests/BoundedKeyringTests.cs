using System.Diagnostics;
using Atmos.Plugins.Engine.Keyring;
using Atmos.Plugins.Keyring.Tests.Infrastructure;

namespace Atmos.Plugins.Keyring.Tests;

/// <summary>The time limit and the fail-fast memory of <see cref="BoundedKeyring"/>.</summary>
public sealed class BoundedKeyringTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_call_that_ignores_its_token_and_never_ends_returns_within_the_limit_and_later_calls_fail_fast()
    {
        var inner = new ScriptedKeyring(_ => new TaskCompletionSource<object?>().Task);
        var keyring = new BoundedKeyring(inner, Limit);

        var clock = Stopwatch.StartNew();
        var first = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));
        var firstTime = clock.Elapsed;
        clock.Restart();
        var second = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.RemoveAsync("dev-admin", CancellationToken.None));
        var secondTime = clock.Elapsed;

        Assert.Equal("keyring did not answer within 0.3 s", first.Reason);
        Assert.InRange(firstTime, Limit - TimeSpan.FromMilliseconds(50), Limit + TimeSpan.FromMilliseconds(400));
        Assert.Equal(first.Reason, second.Reason);
        Assert.Equal(first.Fix, second.Fix);
        Assert.True(secondTime < Limit / 2, $"second call took {secondTime.TotalMilliseconds:0} ms");
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_call_that_blocks_its_thread_returns_within_the_limit()
    {
        using var release = new ManualResetEventSlim();
        var inner = new ScriptedKeyring(_ =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return Task.FromResult<object?>(null);
        });
        var keyring = new BoundedKeyring(inner, Limit);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("dev-admin", "{}", CancellationToken.None));

        Assert.True(clock.Elapsed < Limit + TimeSpan.FromMilliseconds(400), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("keyring did not answer within 0.3 s", error.Reason);
        release.Set();
    }

    [Fact]
    public async Task An_unavailable_backend_is_remembered_with_its_reason_and_not_called_again()
    {
        var inner = new ScriptedKeyring(_ => throw new KeyringUnavailableException("keyring is locked", "unlock it"));
        var keyring = new BoundedKeyring(inner, Limit);

        var first = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.GetManyAsync(["a"], CancellationToken.None));
        var second = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.ListAsync(CancellationToken.None));
        var third = await Assert.ThrowsAsync<KeyringUnavailableException>(() => keyring.SetAsync("a", "{}", CancellationToken.None));

        Assert.Equal(("keyring is locked", "unlock it"), (first.Reason, first.Fix));
        Assert.Equal(("keyring is locked", "unlock it"), (second.Reason, second.Fix));
        Assert.Equal(("keyring is locked", "unlock it"), (third.Reason, third.Fix));
        Assert.NotSame(second, third);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_failed_operation_does_not_make_the_keyring_unavailable()
    {
        var calls = 0;
        var inner = new ScriptedKeyring(_ => ++calls == 1
            ? throw new KeyringOperationException("access denied", "allow it")
            : Task.FromResult<object?>(true));
        var keyring = new BoundedKeyring(inner, Limit);

        var error = await Assert.ThrowsAsync<KeyringOperationException>(() => keyring.RemoveAsync("a", CancellationToken.None));

        Assert.Equal("access denied", error.Reason);
        Assert.True(await keyring.RemoveAsync("a", CancellationToken.None));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_timeout_and_does_not_poison_later_calls()
    {
        var hang = true;
        var inner = new ScriptedKeyring(ct => hang ? Task.Delay(Timeout.Infinite, ct).ContinueWith<object?>(_ => null, TaskScheduler.Default) : Task.FromResult<object?>(true));
        var keyring = new BoundedKeyring(inner, TimeSpan.FromSeconds(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keyring.RemoveAsync("a", cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");

        hang = false;
        Assert.True(await keyring.RemoveAsync("a", CancellationToken.None));
    }

    [Fact]
    public Task The_memory_keyring_bounded_holds_the_shared_round_trip() =>
        KeyringConformance.RoundTripAsync(new BoundedKeyring(new MemoryKeyring(), Limit), "dev-admin");

    [Fact]
    public async Task Answers_pass_through_unchanged()
    {
        var memory = new MemoryKeyring();
        var keyring = new BoundedKeyring(memory, Limit);

        await keyring.SetAsync("b", "2", CancellationToken.None);
        await keyring.SetAsync("a", "1", CancellationToken.None);

        Assert.Equal("memory", keyring.Backend);
        Assert.Equal(["a", "b"], await keyring.ListAsync(CancellationToken.None));
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "1" }, await keyring.GetManyAsync(["a", "c"], CancellationToken.None));
        Assert.True(await keyring.RemoveAsync("a", CancellationToken.None));
        Assert.False(await keyring.RemoveAsync("a", CancellationToken.None));
    }

    /// <summary>A keyring whose every call runs one scripted behaviour and is counted.</summary>
    private sealed class ScriptedKeyring(Func<CancellationToken, Task<object?>> behaviour) : IKeyring
    {
        private int _calls;

        public int Calls => _calls;

        public string Backend => "scripted";

        public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
            (IReadOnlyList<string>?)await Run(cancellationToken) ?? [];

        public async Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
            (IReadOnlyDictionary<string, string?>?)await Run(cancellationToken) ?? new Dictionary<string, string?>();

        public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => (bool?)await Run(cancellationToken) ?? false;

        public Task SetAsync(string name, string secret, CancellationToken cancellationToken) => Run(cancellationToken);

        private Task<object?> Run(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return behaviour(cancellationToken);
        }
    }
}
