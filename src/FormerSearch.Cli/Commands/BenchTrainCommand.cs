using System.CommandLine;
using System.Globalization;
using FormerSearch.Bench;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench train --model NAME | --arch FILE [--batch-size B] [--input CxHxW] [--threads T] [--seed S] [--json]</c>: images per
/// second of full training steps (forward, cross-entropy, backward, AdamW; two warm-up steps, then the median step
/// over at least two seconds).
/// </summary>
public static class BenchTrainCommand
{
    public static Command Create() => ModelThroughputCommand.Create("train",
        "Images per second of a model's training step: forward, backward and AdamW (random weights, images and labels).",
        "training step: forward, backward, AdamW; median step", (model, batch, seed) => TrainingBenchmark.ImagesPerSecond(model, batch, seed: seed),
        (model, batch, seed) =>
        {
            var (forward, backward, optimizer) = TrainingBenchmark.Breakdown(model, batch, seed: seed);
            return string.Create(CultureInfo.InvariantCulture, $"median step: forward + loss {forward:F1} ms, backward {backward:F1} ms, zero-grad + AdamW {optimizer:F1} ms.");
        },
        // A training step costs about three forward passes: 2 FLOPs per multiply-add forward, 4 backward (input and weight gradients).
        flopsPerMac: 6);
}
