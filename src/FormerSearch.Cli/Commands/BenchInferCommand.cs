using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench infer --model NAME [--batch-size B] [--input CxHxW] [--threads T] [--json]</c>: images per second of
/// eval-mode forward passes (one warm-up, then the median pass over at least one second).
/// </summary>
public static class BenchInferCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Registered model name (see `former models`).", Required = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 64 };
        var input = new Option<string?>("--input") { Description = "Input as CxHxW, e.g. 3x224x224 (default: the model's)." };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("infer", "Images per second of a model's eval-mode forward pass (random weights and images).") { model, batchSize, input, threads, json };
        command.SetAction(parse =>
        {
            EngineSettings.Threads = CommonOptions.AtLeast(parse.GetValue(threads), 1, "--threads");
            int batch = CommonOptions.AtLeast(parse.GetValue(batchSize), 1, "--batch-size");
            var entry = ModelRegistry.Get(parse.GetValue(model)!);
            var size = parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : entry.DefaultInput;
            return Run(entry, size, batch, EngineSettings.Threads, parse.GetValue(json));
        });
        return command;
    }

    private static int Run(ModelEntry entry, ModelInput size, int batchSize, int threads, bool json)
    {
        var model = entry.Create(ModelOptions.For(size)); // random weights: throughput does not depend on their values
        double rate = InferenceBenchmark.ImagesPerSecond(model, batchSize);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = entry.Name,
                batch_size = batchSize,
                input = new[] { size.Channels, size.Height, size.Width },
                threads,
                images_per_s = Math.Round(rate, 2),
            }));
            return ExitCodes.Success;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{entry.Name} at {size}, batch {batchSize}, {threads} thread(s): {rate:F1} images/s (eval-mode forward, median pass)."));
        return ExitCodes.Success;
    }
}
