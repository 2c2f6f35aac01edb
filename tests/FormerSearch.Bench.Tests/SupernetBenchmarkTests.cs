using FormerSearch.Bench;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Bench.Tests;

public sealed class SupernetBenchmarkTests
{
    private static readonly AutoFormerSpace Mini = AutoFormerSpace.Create("mini");

    // A tiny input: 12×12 in 4×4 patches is a 3×3 grid, 10 tokens.
    private static readonly ModelOptions Tiny = new() { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 5, Seed = 3 };

    [Fact]
    public void Benchmark_times_both_and_leaves_the_subnet_active()
    {
        var net = Mini.CreateSupernet(Tiny);
        var arch = Mini.Smallest();
        var r = SupernetBenchmark.Measure(net, arch, batchSize: 2, minSeconds: 0.01, minPairs: 3);
        Assert.True(r.SupernetImagesPerSecond > 0 && r.StandaloneImagesPerSecond > 0 && r.Ratio > 0);
        Assert.Equal(arch, net.Active);
        Assert.Throws<ArgumentException>(() => SupernetBenchmark.Measure(net, arch, batchSize: 0));
    }
}
