using FormerSearch.Engine;

namespace FormerSearch.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a model: opset, batch dimension, and what the file says about its input and classes.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest default-domain opset the exporter writes (Softmax per axis and Split/Unsqueeze/ReduceSum axes as inputs, from 13).</summary>
    public const int MinOpset = 13;

    /// <summary>The highest: the last opset of ONNX IR version 8, the version the exporter writes (what onnx 1.12/1.13 checkers accept).</summary>
    public const int MaxOpset = 18;

    /// <summary>The default opset: 17, the first with LayerNormalization.</summary>
    public const int DefaultOpset = 17;

    /// <summary>Default-domain opset of the nodes. Default: <see cref="DefaultOpset"/>.</summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>A fixed batch size for the input and output, or null for a dynamic batch dimension named <c>batch</c>. Default: null.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The graph's and the metadata's model name. Default: the model's type name.</summary>
    public string? ModelName { get; init; }

    /// <summary>What the model card says about the classes and the input normalisation, written as metadata_props. Default: nothing beyond the model's own sizes.</summary>
    public OnnxModelCard ModelCard { get; init; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="UserInputException">The opset is outside <see cref="MinOpset"/>–<see cref="MaxOpset"/>, or the batch size is below 1.</exception>
    public void Validate()
    {
        if (Opset < MinOpset || Opset > MaxOpset)
            throw new UserInputException($"ONNX opset {Opset} is not supported: the exporter writes opsets {MinOpset} to {MaxOpset} (IR version 8).");
        if (BatchSize is < 1) throw new UserInputException($"The export batch size must be at least 1; got {BatchSize}.");
    }
}
