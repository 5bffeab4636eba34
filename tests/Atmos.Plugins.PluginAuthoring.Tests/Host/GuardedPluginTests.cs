using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Plugins;

namespace Atmos.Plugins.PluginAuthoring.Tests.Host;

/// <summary>The host's guard around plugin code, in-process: what the contract promises about time limits and faults.</summary>
public sealed class GuardedPluginTests
{
    // Generous where a call must finish (a loaded test machine delays the pool); short where it must time out.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ShortLimit = TimeSpan.FromMilliseconds(300);

    private static readonly PluginDescriptor Descriptor = new(new ManifestEntry("fake", "/plugins/Fake.dll", Enabled: true, "/plugins.json"), null, null);

    [Fact]
    public void Executes_token_is_cancelled_when_the_time_limit_passes()
    {
        using var cancelled = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(cancelled)), Limit);

        var call = plugin.Call("Execute", (p, token) => p.Execute(null!, null!, token), CancellationToken.None);

        Assert.Equal("plugin 'fake' did not finish Execute within 2 s", call.Failure);
        Assert.True(cancelled.Wait(TimeSpan.FromSeconds(5)), "the plugin's token was never cancelled");
    }

    [Fact]
    public void After_one_time_out_the_plugin_is_given_up_on_and_never_called_again_while_the_abandoned_call_runs()
    {
        using var release = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(release)), ShortLimit);
        var calls = 0;

        var first = plugin.Call("Execute", (_, _) => { Interlocked.Increment(ref calls); release.Wait(); return StepResult.Removed(); }, CancellationToken.None);
        var second = plugin.Call("Execute", (_, _) => { Interlocked.Increment(ref calls); return StepResult.Removed(); }, CancellationToken.None);
        var plan = plugin.Call("Plan", p => { Interlocked.Increment(ref calls); return p.Plan(null!); });
        release.Set();

        Assert.Equal("plugin 'fake' did not finish Execute within 0.3 s", first.Failure);
        Assert.Equal("plugin 'fake' was not asked: it did not finish Execute within 0.3 s earlier in this run", second.Failure);
        Assert.Equal("plugin 'fake' was not asked: it did not finish Execute within 0.3 s earlier in this run", plan.Failure);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal("it did not finish Execute within 0.3 s earlier in this run", plugin.GivenUp);
    }

    [Fact]
    public void An_answer_read_inside_the_call_turns_a_list_that_throws_or_a_null_into_a_failure_naming_the_plugin()
    {
        using var never = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(never)), Limit);

        var throwing = plugin.Call("Plan", _ => PluginAnswers.Steps(Throwing()));
        var nothing = plugin.Call("Inspect", _ => PluginAnswers.Artifacts(null));
        var tooMany = plugin.Call("Plan", _ => PluginAnswers.Steps(Enumerable.Repeat<FileStep?>(null, PluginAnswers.MaxSteps + 1)));

        Assert.Equal("plugin 'fake' failed in Plan: InvalidOperationException: the list broke while it was read", throwing.Failure);
        Assert.Equal("plugin 'fake' returned no list of files (null)", nothing.Failure);
        Assert.Equal("plugin 'fake' returned more than 10,000 steps; atmos takes at most 10,000 from one plugin in one call", tooMany.Failure);
        Assert.Null(plugin.GivenUp);

        static IEnumerable<FileStep?> Throwing()
        {
            yield return null;
            throw new InvalidOperationException("the list broke while it was read");
        }
    }

    [Fact]
    public void A_plugin_whose_process_ended_fails_the_call_and_every_later_one_without_asking()
    {
        using var never = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(never)), Limit);
        var asked = new List<string>();

        var answers = plugin.CallEach<string, string>("Classify", ["a", "b", "c"], (_, name) =>
        {
            asked.Add(name);
            return name == "b" ? throw new PluginProcessEndedException("its process exited (exit code 3)") : name;
        });
        var later = plugin.Call("Plan", p => p.Plan(null!));

        Assert.Equal(["a", "b"], asked);
        Assert.Equal(
            [null, "plugin 'fake' crashed in Classify: its process exited (exit code 3)", "plugin 'fake' was not asked: it crashed in Classify for an earlier entry"],
            answers.Select(a => a.Failure));
        Assert.Equal("plugin 'fake' was not asked: it crashed in Classify earlier in this run", later.Failure);
    }

    [Fact]
    public void A_constructor_that_throws_is_reported_by_its_own_exception()
    {
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => (IProviderPlugin)Activator.CreateInstance(typeof(ThrowingPlugin))!), Limit);

        Assert.Equal("InvalidOperationException: no settings service (loading /plugins/Fake.dll)", plugin.LoadFailure);
    }

    [Fact]
    public void A_constructor_that_hangs_is_abandoned_at_the_time_limit()
    {
        using var release = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => { release.Wait(); return new WaitingPlugin(release); }), ShortLimit);
        release.Set();

        Assert.Equal("loading /plugins/Fake.dll did not finish within 0.3 s", plugin.LoadFailure);
        Assert.Equal("plugin 'fake' is unavailable: loading /plugins/Fake.dll did not finish within 0.3 s", plugin.Call("Plan", p => p.Plan(null!)).Failure);
    }

    [Fact]
    public void An_invalid_cloud_name_makes_the_plugin_unusable()
    {
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new ThrowingPlugin(cloud: "Not OK")), Limit);

        Assert.Equal("its Cloud is 'Not OK', which is not lower-case letters, digits and dashes", plugin.LoadFailure);
    }

    [Fact]
    public void A_batch_gives_every_call_the_full_limit_and_keeps_each_failure_to_its_own_item()
    {
        using var never = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(never)), ShortLimit);
        var slow = TimeSpan.FromMilliseconds(150); // each under the 0.3 s limit, together three times over it

        var answers = plugin.CallEach("ValidateProvider", ["a", "b", "boom", "c"], (_, name) =>
        {
            Thread.Sleep(name == "boom" ? TimeSpan.Zero : slow);
            return name == "boom" ? throw new FormatException("bad start_url") : name.ToUpperInvariant();
        });

        Assert.Equal(["A", "B", null, "C"], answers.Select(a => a.Value));
        Assert.Equal([null, null, "plugin 'fake' failed in ValidateProvider: FormatException: bad start_url", null], answers.Select(a => a.Failure));
    }

    [Fact]
    public void An_exception_whose_message_throws_is_reported_by_its_type()
    {
        using var never = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(never)), Limit);

        var answers = plugin.CallEach<string, string>("Classify", ["a", "b"], (_, name) => name == "a" ? throw new MessageThrowingException() : name);

        Assert.Equal(["plugin 'fake' failed in Classify: MessageThrowingException", null], answers.Select(a => a.Failure));
        Assert.Equal("b", answers[1].Value);
    }

    [Fact]
    public void A_batch_gives_up_at_the_call_that_overruns_and_asks_nothing_after_it()
    {
        using var release = new ManualResetEventSlim();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(release)), ShortLimit);
        var asked = new List<string>();

        var answers = plugin.CallEach("Classify", ["a", "hang", "b"], (_, name) =>
        {
            lock (asked)
            {
                asked.Add(name);
            }

            if (name == "hang")
            {
                release.Wait();
            }

            return name;
        });
        release.Set();
        Thread.Sleep(100);

        Assert.Equal(["a", null, null], answers.Select(a => a.Value));
        Assert.Equal(
            [null, "plugin 'fake' did not finish Classify within 0.3 s", "plugin 'fake' was not asked: it did not finish Classify for an earlier entry within 0.3 s"],
            answers.Select(a => a.Failure));
        lock (asked)
        {
            Assert.Equal(["a", "hang"], asked); // released after the limit, the worker starts nothing more
        }
    }

    [Fact]
    public void A_batch_interrupted_by_the_run_reports_the_unanswered_items_as_interrupted()
    {
        using var release = new ManualResetEventSlim();
        using var interrupt = new CancellationTokenSource();
        var plugin = GuardedPlugin.Create(Descriptor, new Loader(() => new WaitingPlugin(release)), Limit);

        var answers = plugin.CallEach("Validate", ["a", "wait", "b"], (_, name) =>
        {
            if (name == "wait")
            {
                interrupt.Cancel();
                release.Wait();
            }

            return name;
        }, interrupt.Token);
        release.Set();

        Assert.Equal(["a", null, null], answers.Select(a => a.Value));
        Assert.All(answers.Skip(1), a => Assert.Equal("interrupted while plugin 'fake' was running Validate", a.Failure));
    }

    private sealed class MessageThrowingException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message for you");
    }

    private sealed class Loader(Func<IProviderPlugin> create) : IPluginLoader
    {
        public IProviderPlugin Load(PluginDescriptor descriptor) => create();
    }

    private sealed class WaitingPlugin(ManualResetEventSlim cancelled) : IProviderPlugin
    {
        public string Cloud => "fake";

        public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

        public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

        public CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

        public IReadOnlyList<FileStep> Plan(PlanRequest request) => [];

        // Waits as a well-behaved plugin waits for a lock: until its token fires.
        public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
        {
            cancellationToken.WaitHandle.WaitOne();
            cancelled.Set();
            return StepResult.Failed("interrupted");
        }

        public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) => [];
    }

    private sealed class ThrowingPlugin : IProviderPlugin
    {
        public ThrowingPlugin() => throw new InvalidOperationException("no settings service");

        public ThrowingPlugin(string cloud) => Cloud = cloud;

        public string Cloud { get; } = "fake";

        public IEnumerable<string> ValidateProvider(ProviderTarget provider) => [];

        public IEnumerable<string> ValidateIdentity(IdentityTarget identity) => [];

        public CredentialClass Classify(KeyringEntry entry) => CredentialClass.Session;

        public IReadOnlyList<FileStep> Plan(PlanRequest request) => [];

        public StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken) => StepResult.Removed();

        public IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) => [];
    }
}
