using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Inference;

/// <summary>What a weights file (safetensors or a PyTorch checkpoint) says about the model it fits, read without its tensor data.</summary>
public static class WeightsFile
{
    /// <summary>
    /// The first dimension of <c>head.weight</c> (the classifier's outputs in PyTorch's <c>[out, in]</c> layout), or null when the
    /// file has no such 2-D tensor or cannot be read as safetensors: loading the weights reports those problems properly.
    /// </summary>
    public static int? HeadClasses(string path) => TrainingCheckpointWeights.Is(path) ? TrainingCheckpointWeights.HeadClasses(path, null)
        : Shapes(path) is { } shapes && shapes.TryGetValue("head.weight", out var shape) && shape.Length == 2 && shape[0] >= 1 ? shape[0] : null;

    /// <summary>
    /// Loads weights file <paramref name="path"/> into <paramref name="model"/>, strictly: a training checkpoint's model (or weight
    /// average, <paramref name="key"/> <c>ema</c>; see <see cref="TrainingCheckpointWeights"/>), else as <see cref="Module.LoadWeights"/>.
    /// </summary>
    /// <exception cref="UserInputException">The file cannot be read, is in no format read here, or does not fit the model.</exception>
    public static void Load(Module model, string path, string? key)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (TrainingCheckpointWeights.Is(path)) TrainingCheckpointWeights.Load(model, path, key);
        else model.LoadWeights(path, strict: true, key);
    }

    /// <summary>
    /// The image channels the checkpoint's stem expects: the second dimension of the 4-D <c>…patch_embed….weight</c>
    /// convolution (PyTorch's <c>[out, in, kh, kw]</c>), with that tensor's name; null when there is none or the file cannot be read.
    /// </summary>
    public static (int Channels, string Name, int[] Shape)? InputChannels(string path)
    {
        // A training checkpoint keeps the engine's own layouts, whose convolutions put the input channels last.
        if (TrainingCheckpointWeights.Is(path) || Shapes(path) is not { } shapes) return null;
        foreach (var (name, shape) in shapes)
            if (shape.Length == 4 && name.Contains("patch_embed", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal))
                return (shape[1], name, shape);
        return null;
    }

    /// <summary>Every tensor's shape, in file order; null when the file is missing or in no format <see cref="StateDictFile"/> reads.</summary>
    public static IReadOnlyDictionary<string, int[]>? Shapes(string path)
    {
        try { return StateDictFile.ReadShapes(path); }
        catch (UserInputException) { return null; }
    }
}
