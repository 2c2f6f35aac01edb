using System.Diagnostics;
using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Optim;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Bench;

/// <summary>Throughput of full training steps: forward, cross-entropy, backward and an AdamW update.</summary>
public static class TrainingBenchmark
{
    /// <summary>
    /// Images per second of training steps of <paramref name="model"/> on one random channels-last batch of
    /// <paramref name="batchSize"/> images with random labels, AdamW with timm's no-decay split: two warm-up steps
    /// (pools, optimiser state and packed weights get allocated), then timed steps until at least
    /// <paramref name="minSeconds"/> have elapsed and <paramref name="minRuns"/> ran; the median step gives the rate.
    /// The model's weights change (it is trained on noise); pass a model you do not need afterwards.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="batchSize"/> or <paramref name="minRuns"/> is below 1, or <paramref name="minSeconds"/> is negative.</exception>
    public static double ImagesPerSecond(VisionModel model, int batchSize, double minSeconds = 2.0, int minRuns = 3, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));

        var (images, labels, optimizer) = Setup(model, batchSize, seed);
        return batchSize / StepTimer.MedianSeconds(() => Step(model, optimizer, images, labels), warmup: 2, minSeconds, minRuns);
    }

    /// <summary>
    /// Where a training step's time goes: median milliseconds of the forward pass with the loss, of the backward pass,
    /// and of the optimiser (zeroing gradients and the AdamW update), over <paramref name="runs"/> steps after two warm-up steps.
    /// </summary>
    public static (double ForwardMs, double BackwardMs, double OptimizerMs) Breakdown(VisionModel model, int batchSize, int runs = 10, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (images, labels, optimizer) = Setup(model, batchSize, seed);
        var forward = new List<double>();
        var backward = new List<double>();
        var update = new List<double>();
        for (int run = -2; run < runs; run++)
        {
            using var _ = TensorScope.Enter();
            long t0 = Stopwatch.GetTimestamp();
            optimizer.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(images), labels);
            long t1 = Stopwatch.GetTimestamp();
            loss.Backward();
            long t2 = Stopwatch.GetTimestamp();
            optimizer.Step();
            long t3 = Stopwatch.GetTimestamp();
            if (run < 0) continue;
            forward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            backward.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            update.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
        }
        return (StepTimer.Median(forward), StepTimer.Median(backward), StepTimer.Median(update));
    }

    /// <summary>A random batch with random labels, the model in training mode, and AdamW with timm's no-decay split.</summary>
    public static (Tensor Images, int[] Labels, Optimizer Optimizer) Setup(VisionModel model, int batchSize, ulong seed)
    {
        var rng = new Generator(seed);
        var input = model.Input;
        var images = Tensor.Empty(batchSize, input.Height, input.Width, input.Channels);
        rng.FillNormal(images.AsSpan());
        var labels = new int[batchSize];
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(model.NumClasses);
        model.Train();
        return (images, labels, new AdamW(ParamGroups.WithNoDecay(model.NamedParameters(), 0.05), lr: 1e-4));
    }

    /// <summary>One training step: zero-grad, forward with cross-entropy, backward, optimiser step, inside a tensor scope.</summary>
    public static void Step(VisionModel model, Optimizer optimizer, Tensor images, int[] labels)
    {
        using var _ = TensorScope.Enter();
        optimizer.ZeroGrad();
        Functional.CrossEntropy(model.Forward(images), labels).Backward();
        optimizer.Step();
    }
}
