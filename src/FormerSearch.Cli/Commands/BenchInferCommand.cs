using System.CommandLine;
using FormerSearch.Bench;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench infer --model NAME | --arch FILE [--batch-size B] [--input CxHxW] [--threads T] [--seed S] [--json]</c>: images per
/// second of eval-mode forward passes (one warm-up, then the median pass over at least one second).
/// </summary>
public static class BenchInferCommand
{
    public static Command Create() => ModelThroughputCommand.Create("infer",
        "Images per second of a model's eval-mode forward pass (random weights and images).",
        "eval-mode forward, median pass", (model, batch, seed) => InferenceBenchmark.ImagesPerSecond(model, batch, seed: seed));
}
