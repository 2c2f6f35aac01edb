using FormerSearch.Engine;
using FormerSearch.Engine.Benchmarks;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Optim;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets;

/// <summary>What weight sharing costs: a subnet's training step through the supernet vs on its standalone model.</summary>
public static class SupernetBenchmark
{
    /// <summary>
    /// Images per second of training steps (forward, cross-entropy, backward, AdamW with timm's no-decay split) of
    /// <paramref name="architecture"/> through <paramref name="supernet"/> — AdamW over all the supernet's parameters,
    /// as supernet training updates them — and through the standalone model <see cref="Supernet.Extract"/> gives, on
    /// one random batch of <paramref name="batchSize"/> images with random labels. The two are timed in alternation,
    /// <paramref name="rounds"/> times each (two warm-up steps, then the median step over at least
    /// <paramref name="minSeconds"/> and <paramref name="minRuns"/> steps), and each keeps its fastest round, so that
    /// drift of the machine does not favour either. The supernet's weights change (it trains on noise).
    /// </summary>
    /// <exception cref="ArgumentException">The architecture is not valid in the supernet's space, or a count is below 1, or <paramref name="minSeconds"/> is negative.</exception>
    public static SupernetBenchmarkResult Measure(Supernet supernet, Architecture architecture, int batchSize,
        double minSeconds = 2.0, int minRuns = 3, int rounds = 2, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));
        if (rounds < 1) throw new ArgumentException($"The number of rounds must be at least 1; got {rounds}.", nameof(rounds));
        if (minSeconds < 0) throw new ArgumentException($"The minimum time must not be negative; got {minSeconds}.", nameof(minSeconds));

        supernet.Activate(architecture);
        var standalone = supernet.Extract(architecture);

        var rng = new Generator(seed);
        var input = supernet.Input;
        var images = Tensor.Empty(batchSize, input.Height, input.Width, input.Channels);
        rng.FillNormal(images.AsSpan());
        var labels = new int[batchSize];
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(supernet.NumClasses);

        supernet.Train();
        standalone.Train();
        var superOptimizer = new AdamW(ParamGroups.WithNoDecay(supernet.NamedParameters(), 0.05), lr: 1e-4);
        var aloneOptimizer = new AdamW(ParamGroups.WithNoDecay(standalone.NamedParameters(), 0.05), lr: 1e-4);
        double superBest = double.MaxValue, aloneBest = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            superBest = Math.Min(superBest, StepTimer.MedianSeconds(() => Step(supernet, superOptimizer, images, labels), warmup: 2, minSeconds, minRuns));
            aloneBest = Math.Min(aloneBest, StepTimer.MedianSeconds(() => Step(standalone, aloneOptimizer, images, labels), warmup: 2, minSeconds, minRuns));
        }
        return new SupernetBenchmarkResult(batchSize / superBest, batchSize / aloneBest);
    }

    private static void Step(VisionModel model, Optimizer optimizer, Tensor images, int[] labels)
    {
        using var _ = TensorScope.Enter();
        optimizer.ZeroGrad();
        Functional.CrossEntropy(model.Forward(images), labels).Backward();
        optimizer.Step();
    }
}
