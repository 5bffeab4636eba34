using Atmos.Plugins.Engine.Planning;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// The run whose steps the mediator is sending. The container of handlers is built once per process (the host's warm-up
/// builds it while the command line is parsed, docs/performance.md), so a handler gets the run's context from here, per
/// asynchronous flow, as ASP.NET Core's <c>IHttpContextAccessor</c> hands a singleton its current request: runs side by
/// side in one process (the tests) each see their own.
/// </summary>
public sealed class CurrentRun
{
    private static readonly AsyncLocal<RunContext?> Flowing = new();

    /// <summary>The context of the run on this flow.</summary>
    /// <exception cref="InvalidOperationException">No run is in progress on this flow.</exception>
    public RunContext Context =>
        Flowing.Value ?? throw new InvalidOperationException("no logout run is in progress on this flow; step commands are sent by LogoutEngine.RunAsync");

    /// <summary>Makes <paramref name="context"/> the run of this flow (and of what it starts) until the result is disposed.</summary>
    /// <param name="context">The run's context.</param>
    internal static Entered Enter(RunContext context)
    {
        var previous = Flowing.Value;
        Flowing.Value = context;
        return new Entered(previous);
    }

    /// <summary>Restores the run that was current before <see cref="Enter"/>.</summary>
    internal readonly struct Entered(RunContext? previous) : IDisposable
    {
        public void Dispose() => Flowing.Value = previous;
    }
}
