using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Bench;
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
    /// <param name="flopsPerMac">See <see cref="ThroughputReport.FlopsPerMac"/>.</param>
    public static Command Create(string name, string description, string what, Func<VisionModel, int, ulong, double> measure, Func<VisionModel, int, ulong, string>? detail = null,
        double? flopsPerMac = null) =>
        Create(name, description, (_, model, batch, seed) =>
            new ThroughputReport(measure(model, batch, seed), what) { Detail = detail?.Invoke(model, batch, seed), FlopsPerMac = flopsPerMac });

    /// <summary>
    /// A command named <paramref name="name"/> whose <paramref name="measure"/> returns a <see cref="ThroughputReport"/> of a
    /// model at a batch size with random data of a seed, reading its own <paramref name="options"/> from the parse result;
    /// the report's extra fields follow the common ones in the JSON object.
    /// </summary>
    public static Command Create(string name, string description, Func<ParseResult, VisionModel, int, ulong, ThroughputReport> measure, params Option[] options)
    {
        var selection = new ModelSelection();
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var input = new Option<string?>("--input") { Description = "Input as CxHxW, e.g. 3x224x224 (default: the model's)." };
        var run = new RunOptions("Seed of the random weights, images and labels (default 0).");
        var command = new Command(name, description) { batchSize, input };
        foreach (var option in options) command.Options.Add(option);
        selection.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            int batch = CommonOptions.BatchSize(parse.GetValue(batchSize));
            var entry = selection.Resolve(parse);
            var size = parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : entry.DefaultInput;
            ulong seed = run.SeedOr(parse);
            var model = ModelInputs.Build(entry, ModelOptions.For(size) with { Seed = seed }); // random weights: throughput does not depend on their values
            var report = measure(parse, model, batch, seed);
            double? gflops = report.FlopsPerMac is { } perMac
                ? report.ImagesPerSecond * entry.Profile(ModelOptions.For(size)).Macs * perMac / 1e9
                : null;
            // What the achieved rate is a fraction of, measured now on the same threads (the host's clock moves).
            double? peak = gflops is null ? null : FmaPeak.GflopsPerSecond();
            if (run.WantsJson(parse))
            {
                var doc = new Dictionary<string, object>
                {
                    ["model"] = entry.Name,
                    ["batch_size"] = batch,
                    ["input"] = new[] { size.Channels, size.Height, size.Width },
                    ["threads"] = EngineSettings.Threads,
                };
                foreach (var (key, value) in report.Leading) doc[key] = value;
                doc["images_per_s"] = Math.Round(report.ImagesPerSecond, 2);
                if (gflops is { } g) doc["gflop_per_s"] = Math.Round(g, 1);
                if (peak is { } p) doc["peak_gflop_per_s"] = Math.Round(p, 1);
                foreach (var (key, value) in report.Extra) doc[key] = value;
                Console.WriteLine(JsonSerializer.Serialize(doc));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Name} at {size}, batch {batch}, {EngineSettings.Threads} thread(s): {report.ImagesPerSecond:F1} images/s ({report.What})."));
                if (gflops is { } g && peak is { } p)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{g:F1} GFLOP/s achieved ({report.FlopsPerMac} FLOPs per multiply-add of the forward pass, from the model's analytic profile), {g / p:P0} of this machine's fp32 peak ({p:F0} GFLOP/s: independent FMAs on the same threads, measured now)."));
                }
                if (report.Detail is not null) Console.WriteLine(report.Detail);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
