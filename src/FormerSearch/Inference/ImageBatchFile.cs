using System.Buffers.Binary;
using System.Text;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Inference;

/// <summary>Reads an image batch saved by NumPy or PyTorch: a float32 .npy array <c>[B, C, H, W]</c> (NCHW, C order).</summary>
public static class ImageBatchFile
{
    /// <summary>The batch as an NCHW float32 tensor <c>[B, C, H, W]</c> (unscoped), exactly as stored.</summary>
    /// <exception cref="UserInputException">The file is missing, unreadable or not a valid .npy file, or the array is not float32 (<c>&lt;f4</c>) or not 4-D; the message names the file, dtype and shape.</exception>
    public static Tensor LoadNchw(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read input file '{path}': {e.Message}", e);
        }
        var batch = Npy.Parse(bytes, path); // validates magic, header, dtype support and length
        // Npy converts every dtype to float32; images in another dtype (uint8 pixels, float64) are almost
        // certainly not normalised the way the model expects, so they are refused rather than converted.
        string descr = Descr(bytes);
        if (descr != "<f4")
            throw new UserInputException($"Input '{path}' has dtype {descr}; it must be float32 (<f4) images [B, C, H, W].");
        if (batch.Rank != 4)
            throw new UserInputException($"Input '{path}' has shape {Tensor.FormatShape(batch.Shape)}; it must be a 4-D NCHW float32 batch [B, C, H, W].");
        return batch;
    }

    // The header has already been validated by Npy.Parse; this only pulls the 'descr' string out of its dict literal.
    private static string Descr(byte[] bytes)
    {
        int lengthBytes = bytes[6] == 1 ? 2 : 4;
        int headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        string text = Encoding.Latin1.GetString(bytes, 8 + lengthBytes, headerLength);
        int key = text.IndexOf("descr", StringComparison.Ordinal);
        int colon = key < 0 ? -1 : text.IndexOf(':', key);
        int open = colon < 0 ? -1 : text.IndexOfAny(['\'', '"'], colon);
        int close = open < 0 ? -1 : text.IndexOf(text[open], open + 1);
        return close < 0 ? "unknown" : text[(open + 1)..close];
    }
}
