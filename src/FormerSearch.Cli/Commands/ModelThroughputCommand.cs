using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// The shape of <c>former bench infer</c> and <c>former bench train</c>: <c>--model NAME | --arch FILE [--batch-size B]
/// [--input CxHxW] [--threads T] [--seed S] [--json]</c>, a measurement of images per second, one line or one JSON object
/// <c>{"model", "batch_size", "input", "threads", "images_per_s"}</c>.
/// </summary>
public static class ModelThroughputCommand
{
    /// <summary>
    /// A command named <paramref name="name"/> whose <paramref name="measure"/> returns images/s of a model at a batch size
    /// with random data of a seed; <paramref name="what"/> says what was timed.
    /// </summary>
    /// <param name="detail">An optional extra line for the text form (e.g. where a training step's time goes).</param>
    public static Command Create(string name, string description, string what, Func<VisionModel, int, ulong, double> measure, Func<VisionModel, int, ulong, string>? detail = null)
    {
        var selection = new ModelSelection();
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var input = new Option<string?>("--input") { Description = "Input as CxHxW, e.g. 3x224x224 (default: the model's)." };
        var run = new RunOptions("Seed of the random weights, images and labels (default 0).");
        var command = new Command(name, description) { batchSize, input };
        selection.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            int batch = CommonOptions.AtLeast(parse.GetValue(batchSize), 1, "--batch-size");
            var entry = selection.Resolve(parse);
            var size = parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : entry.DefaultInput;
            ulong seed = run.SeedOr(parse);
            var model = ModelInputs.Build(entry, ModelOptions.For(size) with { Seed = seed }); // random weights: throughput does not depend on their values
            double rate = measure(model, batch, seed);
            if (run.WantsJson(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = entry.Name,
                    batch_size = batch,
                    input = new[] { size.Channels, size.Height, size.Width },
                    threads = EngineSettings.Threads,
                    images_per_s = Math.Round(rate, 2),
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Name} at {size}, batch {batch}, {EngineSettings.Threads} thread(s): {rate:F1} images/s ({what})."));
                if (detail is not null) Console.WriteLine(detail(model, batch, seed));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
