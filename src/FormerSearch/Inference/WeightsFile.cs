using System.Buffers.Binary;
using System.Text.Json;

namespace FormerSearch.Inference;

/// <summary>What a safetensors checkpoint says about the model it fits, read from its header alone (no tensor data).</summary>
public static class WeightsFile
{
    private const int MaxHeaderBytes = 100_000_000;

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

    /// <summary>Every tensor's shape from the header, in file order; null when the file is missing or is not safetensors.</summary>
    public static Dictionary<string, int[]>? Shapes(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[8];
            file.ReadExactly(prefix);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (length > MaxHeaderBytes || (long)length > file.Length - 8) return null;
            var header = new byte[(int)length];
            file.ReadExactly(header);
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            var result = new Dictionary<string, int[]>();
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object || !entry.Value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
                    continue;
                var dims = new int[shape.GetArrayLength()];
                bool valid = true;
                for (int i = 0; i < dims.Length; i++) valid &= shape[i].TryGetInt32(out dims[i]);
                if (valid) result[entry.Name] = dims;
            }
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
