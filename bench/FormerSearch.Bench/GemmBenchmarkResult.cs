namespace FormerSearch.Bench;

/// <summary>Speed of one square sgemm: <c>Size³</c> with <c>Threads</c> threads, median GFLOP/s.</summary>
public sealed record GemmBenchmarkResult(string Provider, int Size, int Threads, double Gflops)
{
    /// <summary>OpenBLAS's kernel family (e.g. "SkylakeX", "Haswell"); null for the managed GEMM.</summary>
    public string? CoreName { get; init; }
}
