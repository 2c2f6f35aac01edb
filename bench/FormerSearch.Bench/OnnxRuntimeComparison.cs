namespace FormerSearch.Bench;

/// <summary>The engine's and ONNX Runtime's inference throughput on one model, batch, input and thread count.</summary>
/// <param name="FormerImagesPerSecond">The engine's eval-mode forward.</param>
/// <param name="OnnxRuntimeImagesPerSecond">The exported model in ONNX Runtime.</param>
/// <param name="ExportSeconds">How long the export took (trace, conversion, serialisation).</param>
public sealed record OnnxRuntimeComparison(double FormerImagesPerSecond, double OnnxRuntimeImagesPerSecond, double ExportSeconds)
{
    /// <summary>The engine's time per batch over ONNX Runtime's (below 1: the engine is faster).</summary>
    public double Ratio => OnnxRuntimeImagesPerSecond / FormerImagesPerSecond;
}
