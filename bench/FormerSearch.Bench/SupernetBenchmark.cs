using System.Diagnostics;
using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Bench;

/// <summary>What weight sharing costs: a subnet's training step through the supernet vs on its standalone model.</summary>
public static class SupernetBenchmark
{
    /// <summary>
    /// Training steps (forward, cross-entropy, backward, AdamW with timm's no-decay split) of
    /// <paramref name="architecture"/> through <paramref name="supernet"/> — AdamW over all the supernet's parameters,
    /// as supernet training updates them — and through the standalone model <see cref="Supernet.Extract"/> gives, on
    /// one random batch of <paramref name="batchSize"/> images with random labels. After two warm-up steps each, the
    /// two alternate step by step (one supernet step, one standalone step: a pair) until at least
    /// <paramref name="minPairs"/> pairs ran and <paramref name="minSeconds"/> elapsed, so that other load on the
    /// machine hits both alike. Images/s come from each one's median step; the ratio is the median over pairs of
    /// supernet step time / standalone step time. The supernet's weights change (it trains on noise).
    /// </summary>
    /// <exception cref="ArgumentException">The architecture is not valid in the supernet's space, <paramref name="batchSize"/> or <paramref name="minPairs"/> is below 1, or <paramref name="minSeconds"/> is negative.</exception>
    public static SupernetBenchmarkResult Measure(Supernet supernet, Architecture architecture, int batchSize,
        double minSeconds = 4.0, int minPairs = 5, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));
        if (minPairs < 1) throw new ArgumentException($"The number of step pairs must be at least 1; got {minPairs}.", nameof(minPairs));
        if (!(minSeconds >= 0)) throw new ArgumentException($"The minimum time must not be negative; got {minSeconds}.", nameof(minSeconds));

        supernet.Activate(architecture);
        var standalone = supernet.Extract(architecture);

        // The same seed gives both models the same batch.
        var (images, labels, superOptimizer) = TrainingBenchmark.Setup(supernet, batchSize, seed);
        var (_, _, aloneOptimizer) = TrainingBenchmark.Setup(standalone, batchSize, seed);
        Action superStep = () => TrainingBenchmark.Step(supernet, superOptimizer, images, labels);
        Action aloneStep = () => TrainingBenchmark.Step(standalone, aloneOptimizer, images, labels);
        for (int i = 0; i < 2; i++)
        {
            superStep();
            aloneStep();
        }

        var superTimes = new List<double>();
        var aloneTimes = new List<double>();
        var ratios = new List<double>();
        var total = Stopwatch.StartNew();
        while (ratios.Count < minPairs || total.Elapsed.TotalSeconds < minSeconds)
        {
            double s = StepTimer.MedianSeconds(superStep, warmup: 0, minSeconds: 0, minRuns: 1);
            double a = StepTimer.MedianSeconds(aloneStep, warmup: 0, minSeconds: 0, minRuns: 1);
            superTimes.Add(s);
            aloneTimes.Add(a);
            ratios.Add(s / a);
        }
        return new SupernetBenchmarkResult(batchSize / StepTimer.Median(superTimes), batchSize / StepTimer.Median(aloneTimes), StepTimer.Median(ratios));
    }
}
