using System.CommandLine;
using System.Globalization;
using FormerSearch.Bench;
using FormerSearch.Engine;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench infer --model NAME | --arch FILE [--batch-size B] [--input CxHxW] [--threads T] [--seed S] [--runtime former|onnxruntime] [--json]</c>:
/// images per second of eval-mode forward passes (one warm-up, then the median pass over at least one second). With
/// <c>--runtime onnxruntime</c> the model is also exported to ONNX and timed in ONNX Runtime at the same batch, input and
/// threads; the JSON object then adds <c>"runtime"</c> before <c>images_per_s</c> (still the engine's) and
/// <c>"onnxruntime_images_per_s"</c>, <c>"ratio"</c> (the engine's time over ONNX Runtime's) and <c>"export_seconds"</c> after it.
/// </summary>
public static class BenchInferCommand
{
    private const string What = "eval-mode forward, median pass";

    public static Command Create()
    {
        var runtime = new Option<string>("--runtime")
        {
            Description = "former: the engine alone; onnxruntime: also the exported model in ONNX Runtime (same batch, input and threads; sequential execution), with the ratio.",
            DefaultValueFactory = _ => "former",
        };
        runtime.AcceptOnlyFromAmong("former", "onnxruntime");
        return ModelThroughputCommand.Create("infer", "Images per second of a model's eval-mode forward pass (random weights and images), optionally beside ONNX Runtime.",
            (parse, model, batch, seed) => parse.GetValue(runtime) == "onnxruntime"
                ? Compare(model, batch, seed)
                : new ThroughputReport(InferenceBenchmark.ImagesPerSecond(model, batch, seed: seed), What),
            runtime);
    }

    private static ThroughputReport Compare(Models.VisionModel model, int batch, ulong seed)
    {
        var result = OnnxRuntimeBenchmark.Compare(model, batch, EngineSettings.Threads, seed: seed);
        return new ThroughputReport(result.FormerImagesPerSecond, What)
        {
            Leading = [new("runtime", "onnxruntime")],
            Extra =
            [
                new("onnxruntime_images_per_s", Math.Round(result.OnnxRuntimeImagesPerSecond, 2)),
                new("ratio", Math.Round(result.Ratio, 3)),
                new("export_seconds", Math.Round(result.ExportSeconds, 3)),
            ],
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"ONNX Runtime: {result.OnnxRuntimeImagesPerSecond:F1} images/s (IntraOpNumThreads {EngineSettings.Threads}, sequential); "
                + $"ratio {result.Ratio:F2} (the engine's time per batch over ONNX Runtime's; below 1: the engine is faster); export {result.ExportSeconds:F2} s."),
        };
    }
}
