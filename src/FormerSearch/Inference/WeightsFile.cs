using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Inference;

/// <summary>What a weights file (safetensors or a PyTorch checkpoint) says about the model it fits, read without its tensor data.</summary>
public static class WeightsFile
{
    /// <summary>
    /// The first dimension of <c>head.weight</c> (the classifier's outputs in PyTorch's <c>[out, in]</c> layout), or null when the
    /// file has no such 2-D tensor or cannot be read as safetensors: loading the weights reports those problems properly.
    /// </summary>
    public static int? HeadClasses(string path) =>
        Shapes(path) is { } shapes && shapes.TryGetValue("head.weight", out var shape) && shape.Length == 2 && shape[0] >= 1 ? shape[0] : null;

    /// <summary>
    /// The image channels the checkpoint's stem expects: the second dimension of the 4-D <c>…patch_embed….weight</c>
    /// convolution (PyTorch's <c>[out, in, kh, kw]</c>), with that tensor's name; null when there is none or the file cannot be read.
    /// </summary>
    public static (int Channels, string Name, int[] Shape)? InputChannels(string path)
    {
        if (Shapes(path) is not { } shapes) return null;
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
