using System.Buffers.Binary;

namespace FormerSearch.Engine.IO;

/// <summary>
/// A weights file in any format FormerSearch reads, recognised by its content rather than its name: safetensors
/// (<see cref="SafeTensors"/>) or a PyTorch checkpoint (<see cref="TorchCheckpoint"/>: <c>.pth</c>, <c>.pth.tar</c>, <c>.pt</c>).
/// Every command that takes <c>--weights</c> or <c>--init</c> reads through here.
/// </summary>
public static class StateDictFile
{
    // The pickled magic number 0x1950a86a20f9469cfc6c that opens a pre-1.6 torch.save file: PROTO 2, LONG1 of 10 bytes.
    private static ReadOnlySpan<byte> LegacyMagic => [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>The format of <paramref name="path"/>, from its first bytes.</summary>
    /// <exception cref="UserInputException">The file does not exist or cannot be read.</exception>
    public static CheckpointFormat Detect(string path)
    {
        Span<byte> head = stackalloc byte[16];
        int n;
        long length;
        try
        {
            using var file = File.OpenRead(path);
            length = file.Length;
            n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.Unreadable(path, "weights file", e);
        }
        head = head[..n];
        if (head.StartsWith("PK\u0003\u0004"u8)) return CheckpointFormat.PyTorchZip;
        if (head.StartsWith(LegacyMagic)) return CheckpointFormat.PyTorchLegacy;
        if (n >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(head) is var header && header <= (ulong)length - 8 && head[8] == (byte)'{')
            return CheckpointFormat.SafeTensors;
        return CheckpointFormat.Unknown;
    }

    /// <summary>
    /// The state dict of <paramref name="path"/> (float32, PyTorch's names and shapes). <paramref name="key"/> picks the entry of a
    /// nested PyTorch checkpoint (see <see cref="TorchCheckpoint.Load"/>); <paramref name="notice"/> hears what was chosen (null: standard error).
    /// </summary>
    /// <exception cref="UserInputException">The file cannot be read, is in no format read here (the pre-1.6 PyTorch format gets a sentence saying how to re-save it), or is invalid in its own format.</exception>
    public static Dictionary<string, Tensor> Load(string path, string? key = null, Action<string>? notice = null) => Detect(path) switch
    {
        CheckpointFormat.PyTorchZip => TorchCheckpoint.Load(path, key, notice),
        CheckpointFormat.SafeTensors => key is null ? SafeTensors.Load(path) : throw KeyOnSafeTensors(path, key),
        var other => throw Unsupported(path, other),
    };

    /// <summary>The shape of every tensor <see cref="Load"/> would return, read without the tensors' data.</summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>.</exception>
    public static Dictionary<string, int[]> ReadShapes(string path, string? key = null) => Detect(path) switch
    {
        CheckpointFormat.PyTorchZip => TorchCheckpoint.ReadShapes(path, key),
        CheckpointFormat.SafeTensors => key is null ? new(SafeTensors.ReadHeader(path).Shapes) : throw KeyOnSafeTensors(path, key),
        var other => throw Unsupported(path, other),
    };

    private static UserInputException KeyOnSafeTensors(string path, string key) =>
        new($"--weights-key '{key}' picks an entry of a nested PyTorch checkpoint, but '{path}' is a safetensors file, which holds one state dict.");

    private static UserInputException Unsupported(string path, CheckpointFormat format) => format == CheckpointFormat.PyTorchLegacy
        ? new($"'{path}' is a PyTorch checkpoint in the format from before PyTorch 1.6, which FormerSearch does not read; re-save it with a current PyTorch: torch.save(torch.load('{Path.GetFileName(path)}', weights_only=True), 'new.pth').")
        : new($"'{path}' is neither a safetensors file nor a PyTorch checkpoint (a zip written by torch.save): its first bytes match neither format.");
}
