using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace FormerSearch.Engine.IO;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Reads F32,
/// F16, BF16 and I64 (BatchNorm's <c>num_batches_tracked</c>) into float32; writes F32. Shapes are
/// stored as given: converting PyTorch's NCHW weights is the model's business, not the file's.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor of the file, converted to float32, keyed by name (in file order).</summary>
    /// <exception cref="UserInputException">The file cannot be read, is truncated or malformed, or has an unsupported dtype; the message names the file.</exception>
    public static Dictionary<string, Tensor> Load(string path) => Parse(InputFile.ReadAll(path, Kind), path);

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="UserInputException">The bytes are truncated, malformed, or have an unsupported dtype; the message names the source.</exception>
    public static Dictionary<string, Tensor> Parse(ReadOnlySpan<byte> bytes, string source = "<memory>")
    {
        if (bytes.Length < 8) throw Bad(source, $"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw Bad(source, $"its header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length (truncated or not safetensors)");
        var data = bytes[(8 + (int)headerLength)..];
        var (entries, _) = SafeTensorsHeaderParser.Parse(bytes.Slice(8, (int)headerLength), data.Length, source, strict: true);
        var result = new Dictionary<string, Tensor>(entries.Count);
        foreach (var entry in entries) result[entry.Name] = ReadTensor(entry, data);
        return result;
    }

    /// <summary>Reads the <c>__metadata__</c> strings of a file (empty when it has none).</summary>
    /// <exception cref="UserInputException">The file cannot be read, or its header is truncated or malformed; the message names the file.</exception>
    public static Dictionary<string, string> LoadMetadata(string path) => new(ReadHeader(path).Metadata);

    /// <summary>
    /// Reads a file's header alone (the 8-byte length and the JSON after it, not the tensor data), so a
    /// large checkpoint can be inspected cheaply.
    /// </summary>
    /// <exception cref="UserInputException">The file cannot be read, or its header is truncated or malformed; the message names the file.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        byte[] header;
        long dataLength;
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[8];
            if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw Bad(path, "it is shorter than the 8-byte header length");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8) throw Bad(path, "its header is truncated");
            header = new byte[(int)headerLength];
            file.ReadExactly(header);
            dataLength = file.Length - 8 - (long)headerLength;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.Unreadable(path, Kind, e);
        }

        var (entries, metadata) = SafeTensorsHeaderParser.Parse(header, dataLength, path, strict: false);
        var shapes = new Dictionary<string, int[]>(entries.Count);
        foreach (var entry in entries) shapes[entry.Name] = entry.Shape;
        return new SafeTensorsHeader(shapes, metadata);
    }

    /// <summary>
    /// Writes the tensors as F32, atomically: to a temporary file beside <paramref name="path"/>, then
    /// renamed over it, so an interrupted save never leaves a damaged file.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int s in t.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * t.Numel;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
        int pad = (int)((8 - headerStream.Length % 8) % 8);
        for (int i = 0; i < pad; i++) headerStream.WriteByte((byte)' ');

        AtomicFile.Write(path, file =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerStream.Length);
            file.Write(len);
            headerStream.Position = 0;
            headerStream.CopyTo(file);
            foreach (var (_, t) in list)
            {
                var values = t.ToArray();
                var raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine.");
                file.Write(raw);
            }
        });
    }

    private static Tensor ReadTensor(SafeTensorsEntry entry, ReadOnlySpan<byte> data)
    {
        var raw = data.Slice((int)entry.Begin, (int)(entry.End - entry.Begin));
        var values = new float[raw.Length / entry.ElementSize];
        switch (entry.Dtype)
        {
            case "F32":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]);
                break;
            case "BF16":
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16);
                break;
            case "I64":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]);
                break;
        }
        return Tensor.FromArray(values, entry.Shape);
    }

    private const string Kind = "safetensors file";

    internal static UserInputException Bad(string source, string what) =>
        new($"{InputText.QuotePath(source)} is not a valid safetensors file: {what}.");
}
