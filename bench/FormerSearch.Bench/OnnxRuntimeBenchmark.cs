using FormerSearch.Engine;
using FormerSearch.Export;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Bench;

/// <summary>
/// <c>former bench infer --runtime onnxruntime</c>: the engine's eval-mode forward beside the same model exported to ONNX
/// and run by ONNX Runtime, at the same batch, input size and thread count: the inference peer a deploying user compares with.
/// </summary>
public static class OnnxRuntimeBenchmark
{
    /// <summary>
    /// Times <paramref name="model"/>'s eval-mode forward (as <see cref="InferenceBenchmark"/>), exports it (timed too) and
    /// times ONNX Runtime on a random NCHW batch of the same size with <paramref name="threads"/> intra-op threads and
    /// sequential execution; both the median pass after one warm-up, over at least <paramref name="minSeconds"/> and
    /// <paramref name="minRuns"/> runs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="batchSize"/>, <paramref name="threads"/> or <paramref name="minRuns"/> is below 1.</exception>
    public static OnnxRuntimeComparison Compare(VisionModel model, int batchSize, int threads, double minSeconds = 1.0, int minRuns = 3, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        double former = InferenceBenchmark.ImagesPerSecond(model, batchSize, minSeconds, minRuns, seed);

        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var onnx = OnnxExporter.ToBytes(model);
        double exportSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;

        var input = model.Input;
        var images = new float[batchSize * input.Channels * input.Height * input.Width];  // [B, C, H, W]
        new Generator(seed).FillNormal(images);
        using var session = new OnnxRuntimeModel(onnx, input, threads);
        double seconds = StepTimer.MedianSeconds(() => session.Run(images, batchSize), warmup: 1, minSeconds, minRuns);
        return new OnnxRuntimeComparison(former, batchSize / seconds, exportSeconds);
    }
}
