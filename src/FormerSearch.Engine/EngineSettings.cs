using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine;

/// <summary>Process-wide engine settings.</summary>
public static class EngineSettings
{
    /// <summary>
    /// The one thread setting: managed parallel loops and BLAS both use this many threads.
    /// Defaults to all cores.
    /// </summary>
    public static int Threads
    {
        get => ParallelRunner.Threads;
        set
        {
            ParallelRunner.Threads = value;
            Gemm.SetThreads(value);
        }
    }
}
