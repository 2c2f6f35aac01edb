using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Bench;

/// <summary>
/// The machine's fp32 arithmetic limit, measured rather than taken from a vendor table: independent fused multiply-add
/// chains on every thread at the widest vector width the engine uses. "GFLOP/s achieved" means little without it — Zen 4
/// issues one 512-bit FMA per cycle where Zen 5 issues two, so the same core count and clock give limits a factor of two
/// apart, and a shared host's clock moves from day to day.
/// </summary>
public static class FmaPeak
{
    // Twelve independent chains cover an FMA latency of 4–6 cycles at two issues a cycle.
    private const int Chains = 12;

    /// <summary>
    /// GFLOP/s of the engine's threads (<see cref="ParallelRunner.Threads"/>) each running FMA chains for about
    /// <paramref name="seconds"/>: the best of three timed rounds (2 FLOPs per lane of each FMA).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is not positive.</exception>
    public static double GflopsPerSecond(double seconds = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        int threads = ParallelRunner.Threads;
        // Calibrate the iteration count on one thread, then time all threads together.
        long iterations = 1 << 16;
        while (Time(1, iterations) < seconds / 4) iterations *= 2;
        iterations = (long)(iterations * (seconds / Math.Max(Time(1, iterations), 1e-6)));
        double best = 0;
        for (int round = 0; round < 3; round++)
            best = Math.Max(best, threads * iterations * Chains * 2.0 * Lanes / Time(threads, iterations) / 1e9);
        return best;
    }

    private static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;

    private static double Time(int threads, long iterations)
    {
        long start = Stopwatch.GetTimestamp();
        // One range runs inline on the calling thread.
        ParallelRunner.For(threads, 1, new Chain(iterations));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private readonly struct Chain(long iterations) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++)
                Sink = Vector512.IsHardwareAccelerated ? Run<Vector512<float>, Simd512>(iterations) : Run<Vector256<float>, Simd256>(iterations);
        }
    }

    // Written where the JIT cannot drop the loops as dead code.
    private static float Sink { get; set; }

    // One body for both widths: the width is a type, so each compiles with its own registers and no branch in the loop.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run<TVector, TSimd>(long iterations) where TVector : struct where TSimd : ISimd<TVector>
    {
        TVector m = TSimd.Create(0.999999f), c = TSimd.Create(1e-7f);
        TVector a0 = TSimd.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = TSimd.FusedMultiplyAdd(a0, m, c); a1 = TSimd.FusedMultiplyAdd(a1, m, c);
            a2 = TSimd.FusedMultiplyAdd(a2, m, c); a3 = TSimd.FusedMultiplyAdd(a3, m, c);
            a4 = TSimd.FusedMultiplyAdd(a4, m, c); a5 = TSimd.FusedMultiplyAdd(a5, m, c);
            a6 = TSimd.FusedMultiplyAdd(a6, m, c); a7 = TSimd.FusedMultiplyAdd(a7, m, c);
            a8 = TSimd.FusedMultiplyAdd(a8, m, c); a9 = TSimd.FusedMultiplyAdd(a9, m, c);
            a10 = TSimd.FusedMultiplyAdd(a10, m, c); a11 = TSimd.FusedMultiplyAdd(a11, m, c);
        }
        var sum = TSimd.Add(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)), TSimd.Add(TSimd.Add(a4, a5), TSimd.Add(a6, a7)));
        return TSimd.Sum(TSimd.Add(sum, TSimd.Add(TSimd.Add(a8, a9), TSimd.Add(a10, a11))));
    }
}
