using BenchmarkDotNet.Attributes;
using FormerSearch.Engine.Kernels.Gemm;

namespace FormerSearch.Benchmarks;

/// <summary>GEMM providers at the shapes a small vision transformer produces (tokens × channels).</summary>
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(256, 1024)]
    public int Size { get; set; }

    [Params("openblas", "managed")]
    public string Provider { get; set; } = "managed";

    private IGemmProvider Gemm_ => Provider == "openblas" ? Gemm.OpenBlas ?? (IGemmProvider)Gemm.Managed : Gemm.Managed;

    [GlobalSetup]
    public void Setup()
    {
        _a = new float[Size * Size];
        _b = new float[Size * Size];
        _c = new float[Size * Size];
        new FormerSearch.Engine.Generator(1).FillUniform(_a, -1, 1);
        new FormerSearch.Engine.Generator(2).FillUniform(_b, -1, 1);
    }

    [Benchmark]
    public void Sgemm() => Gemm_.Sgemm(false, true, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);
}
