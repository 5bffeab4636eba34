using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Engine.Projections;

/// <summary>The exit code of a run (SPEC §5), computed from its events only.</summary>
public static class ExitCodes
{
    /// <summary>Success, including "already logged out" and "with warnings".</summary>
    public const int Success = 0;

    /// <summary>Nothing removed and at least one step failed; or something unexpected stopped the run.</summary>
    public const int Failed = 1;

    /// <summary>Usage or configuration error; nothing was changed.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl-C or Esc).</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code for a folded run.</summary>
    /// <param name="state">The run.</param>
    public static int From(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Rejected is not null)
        {
            return Usage;
        }

        if (state.Failure is not null)
        {
            return Failed;
        }

        if (state.Interrupted || state.Cancelled?.Reason == CancelReason.Interrupted)
        {
            return Interrupted;
        }

        return state.Removed == 0 && state.Failed > 0 ? Failed : Success;
    }
}
