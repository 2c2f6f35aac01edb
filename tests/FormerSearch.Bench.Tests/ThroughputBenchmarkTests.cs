using FormerSearch.Bench;
using FormerSearch.Models;

namespace FormerSearch.Bench.Tests;

/// <summary><c>former bench train</c> and <c>former bench infer</c>'s measurements on a small model.</summary>
public sealed class ThroughputBenchmarkTests
{
    private static readonly ModelInput Size = new(3, 32, 32);

    [Fact]
    public void InferenceBenchmark_reports_a_positive_rate()
    {
        var model = ModelRegistry.Create("poolformer_s12", ModelOptions.For(Size, 10));
        double rate = InferenceBenchmark.ImagesPerSecond(model, batchSize: 2, minSeconds: 0, minRuns: 2);
        Assert.True(rate > 0 && double.IsFinite(rate));
    }

    [Fact]
    public void A_training_step_has_a_rate_and_a_breakdown_and_changes_the_weights()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10));
        float[] before = model.Parameters().First().Value.ToArray();
        double rate = TrainingBenchmark.ImagesPerSecond(model, batchSize: 4, minSeconds: 0, minRuns: 2);
        Assert.True(rate > 0 && double.IsFinite(rate));
        Assert.NotEqual(before, model.Parameters().First().Value.ToArray());
        var (forward, backward, optimizer) = TrainingBenchmark.Breakdown(model, batchSize: 4, runs: 2);
        Assert.All([forward, backward, optimizer], ms => Assert.True(ms > 0 && double.IsFinite(ms)));
        Assert.Throws<ArgumentException>(() => TrainingBenchmark.ImagesPerSecond(model, batchSize: 0));
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10));
        var (a, labelsA, _) = TrainingBenchmark.Setup(model, 3, seed: 5);
        var (b, labelsB, _) = TrainingBenchmark.Setup(model, 3, seed: 5);
        var (c, _, _) = TrainingBenchmark.Setup(model, 3, seed: 6);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(labelsA, labelsB);
        Assert.NotEqual(a.ToArray(), c.ToArray());
    }
}
