using System.Diagnostics;
using FormerSearch.Engine;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Bench;

/// <summary>
/// Measures a GEMM provider on a square <c>size³</c> sgemm (the core of the CLI's GEMM benchmark).
/// </summary>
public static class GemmBenchmark
{
    // Long enough to average out frequency changes and the odd scheduler hiccup, short enough for a CLI.
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(0.2);
    private static readonly TimeSpan s_measure = TimeSpan.FromSeconds(0.6);
    private const int MinRuns = 3;

    /// <summary>
    /// The OpenBLAS core type this process uses or will use: null for the engine's choice (AVX-512 on
    /// AVX-512 CPUs), <c>auto</c> for OpenBLAS's own detection, or a core name. Comes from
    /// <c>FORMER_OPENBLAS_CORETYPE</c>; fixed once OpenBLAS is loaded, so comparing core types takes one
    /// process per core type.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after OpenBLAS was loaded.</exception>
    public static string? OpenBlasCoreOverride
    {
        get => OpenBlasLibrary.CoreTypeOverride;
        set => OpenBlasLibrary.CoreTypeOverride = value;
    }

    /// <summary>
    /// Runs <c>C = A·B</c> on random <paramref name="size"/> × <paramref name="size"/> matrices (drawn with <paramref name="seed"/>) with
    /// <paramref name="threads"/> threads: warm-up, then repeated runs (batched to ~1 ms for small sizes)
    /// for at least ~0.6 s, reporting the median rate (2·size³ flops per run). Thread settings are
    /// restored afterwards.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not <c>openblas</c> or <c>managed</c>.</exception>
    /// <exception cref="InvalidOperationException">OpenBLAS was asked for and cannot be loaded.</exception>
    public static GemmBenchmarkResult Run(string provider, int size, int threads, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        IGemmProvider gemm = provider.ToLowerInvariant() switch
        {
            "managed" => Gemm.Managed,
            "openblas" => Gemm.OpenBlas ?? throw new InvalidOperationException(
                "OpenBLAS could not be loaded; install it with `apt-get install libopenblas0-pthread`."),
            _ => throw new ArgumentException($"Unknown GEMM provider '{provider}'; use `openblas` or `managed`.", nameof(provider)),
        };

        var a = new float[size * size];
        var b = new float[size * size];
        var c = new float[size * size];
        var random = new Generator(seed);
        random.FillUniform(a, -0.5f, 0.5f);
        random.FillUniform(b, -0.5f, 0.5f);

        int savedThreads = ParallelRunner.Threads;
        try
        {
            ParallelRunner.Threads = threads;
            Gemm.SetThreads(threads);
            void Once() => gemm.Sgemm(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size);

            var clock = Stopwatch.StartNew();
            int calls = 0;
            do { Once(); calls++; } while (clock.Elapsed < s_warmUp);
            // Small sizes take well under the timer's resolution: time batches of about a millisecond.
            int batch = (int)Math.Clamp(calls * 1e-3 / clock.Elapsed.TotalSeconds, 1, 1_000_000);

            var seconds = new List<double>();
            clock.Restart();
            while (seconds.Count < MinRuns || clock.Elapsed < s_measure)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < batch; i++) Once();
                seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds / batch);
            }
            seconds.Sort();
            double median = seconds[seconds.Count / 2];
            double gflops = 2.0 * size * size * (double)size / median / 1e9;
            string? core = gemm is OpenBlasGemm ? OpenBlasLibrary.CoreName : null;
            return new GemmBenchmarkResult(gemm.Name, size, threads, gflops) { CoreName = core };
        }
        finally
        {
            ParallelRunner.Threads = savedThreads;
            Gemm.SetThreads(savedThreads);
        }
    }
}
