using System.Runtime.CompilerServices;

namespace Atmos.Plugins.Keyring.Tests.Infrastructure;

/// <summary>Process-wide settings for this test assembly.</summary>
internal static class TestAssemblySetup
{
    /// <summary>
    /// Some tests block pool threads on purpose (a hung backend) while other classes run in parallel; on a two-core
    /// machine the pool would then add threads only every half second and time limits would be measured late.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
    }
}
