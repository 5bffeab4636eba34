using FsCheck.Xunit;

namespace Atmos.Plugins.Reliability.Tests.Support;

/// <summary>An FsCheck property whose number of cases is multiplied by <c>ATMOS_RELIABILITY_SCALE</c> (see <see cref="Trials"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScaledPropertyAttribute : PropertyAttribute
{
    /// <summary>Runs <paramref name="cases"/> cases in CI, more for a long local run.</summary>
    public ScaledPropertyAttribute(int cases)
    {
        MaxTest = Trials.Count(cases);
        QuietOnSuccess = true;
    }
}
