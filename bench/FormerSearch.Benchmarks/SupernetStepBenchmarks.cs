using BenchmarkDotNet.Attributes;
using FormerSearch.Bench;
using FormerSearch.Engine;
using FormerSearch.Engine.Optim;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Benchmarks;

/// <summary>
/// A training step (forward, cross-entropy, backward, AdamW) of a subnet through its supernet against the same step on the
/// extracted standalone model, at batch 64 on each space's <c>mini</c> preset, for the smallest, a median-sized and the
/// largest subnet; <see cref="MemoryDiagnoserAttribute"/> reports the managed bytes a warm step allocates.
/// <c>former bench supernet</c> measures one subnet without a harness; this is the sweep.
/// </summary>
[MemoryDiagnoser]
public class SupernetStepBenchmarks // BenchmarkDotNet derives from benchmark classes: not sealed
{
    private Supernet _supernet = null!;
    private VisionModel _standalone = null!;
    private Optimizer _supernetOptimizer = null!, _standaloneOptimizer = null!;
    private Tensor _images = null!;
    private int[] _labels = [];

    [Params("autoformer", "glit", "burger")]
    public string Space { get; set; } = "glit";

    [Params("smallest", "median", "largest")]
    public string Subnet { get; set; } = "median";

    [GlobalSetup]
    public void Setup()
    {
        var space = SearchSpaces.Create(Space, "mini");
        var options = ModelOptions.For(space.DefaultInput, numClasses: 10);
        var architecture = Subnet switch
        {
            "smallest" => space.Smallest(),
            "largest" => space.Largest(),
            _ => MedianByMacs(space, options),
        };
        _supernet = space.CreateSupernet(options);
        _supernet.Activate(architecture);
        _standalone = _supernet.Extract(architecture);
        (_images, _labels, _supernetOptimizer) = TrainingBenchmark.Setup(_supernet, batchSize: 64, seed: 0);
        (_, _, _standaloneOptimizer) = TrainingBenchmark.Setup(_standalone, batchSize: 64, seed: 0);
    }

    [Benchmark(Baseline = true)]
    public void Standalone() => TrainingBenchmark.Step(_standalone, _standaloneOptimizer, _images, _labels);

    [Benchmark]
    public void ThroughSupernet() => TrainingBenchmark.Step(_supernet, _supernetOptimizer, _images, _labels);

    // The middle of 101 draws of the space's sampler, ordered by MACs.
    private static Architecture MedianByMacs(ISearchSpace space, ModelOptions options)
    {
        var rng = new Generator(17);
        var drawn = Enumerable.Range(0, 101).Select(_ => space.Sample(rng)).OrderBy(a => space.Profile(a, options).Macs).ToArray();
        return drawn[drawn.Length / 2];
    }
}
