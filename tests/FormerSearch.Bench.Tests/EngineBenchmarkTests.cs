using FormerSearch.Bench;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Bench.Tests;

/// <summary><c>former bench gemm</c> and <c>former bench ops</c>'s measurements, briefly.</summary>
public sealed class EngineBenchmarkTests
{
    [Fact]
    public void Gemm_reports_the_rate_of_the_managed_provider_and_restores_the_thread_count()
    {
        int threads = ParallelRunner.Threads;
        var r = GemmBenchmark.Run("managed", size: 32, threads: 1);
        Assert.Equal(("managed", 32, 1, (string?)null), (r.Provider, r.Size, r.Threads, r.CoreName));
        Assert.True(r.Gflops > 0 && double.IsFinite(r.Gflops));
        Assert.Equal(threads, ParallelRunner.Threads);
        Assert.Throws<ArgumentException>(() => GemmBenchmark.Run("cublas", 32, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.Run("managed", 0, 1));
    }

    [Fact]
    public void Ops_runs_the_cases_the_filter_names_in_order()
    {
        Assert.Equal(OpsBenchmark.Cases.Count, OpsBenchmark.Cases.Select(c => c.Op).Distinct().Count());
        var results = OpsBenchmark.Run("conv2d", seconds: 0);
        Assert.Equal(OpsBenchmark.Cases.Where(c => c.Op.Contains("conv2d")).Select(c => c.Op), results.Select(r => r.Op));
        Assert.All(results, r => Assert.True(r.Milliseconds > 0 && double.IsFinite(r.Milliseconds)));
        Assert.Empty(OpsBenchmark.Run("no such op", seconds: 0));
    }
}
