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
        var dataStart = 8 + (int)headerLength;
        var data = bytes[dataStart..];

        JsonDocument header;
        try { header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes.Slice(8, (int)headerLength))); }
        catch (JsonException e) { throw Bad(source, $"its header is not valid JSON ({e.Message})"); }

        var result = new Dictionary<string, Tensor>();
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "its header is not a JSON object");
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                result[entry.Name] = ReadTensor(entry, data, source);
            }
        }
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
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[8];
            if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw Bad(path, "it is shorter than the 8-byte header length");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8) throw Bad(path, "its header is truncated");
            header = new byte[(int)headerLength];
            file.ReadExactly(header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.Unreadable(path, Kind, e);
        }

        var shapes = new Dictionary<string, int[]>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "its header is not a JSON object");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) continue;
                    foreach (var p in entry.Value.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"its metadata value '{p.Name}' is not a string");
                        metadata[p.Name] = p.Value.GetString()!;
                    }
                }
                else if (entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("shape", out var shape)
                    && shape.ValueKind == JsonValueKind.Array && TryReadShape(shape, out var dims))
                {
                    shapes[entry.Name] = dims;
                }
            }
        }
        catch (JsonException e) { throw Bad(path, $"its header is not valid JSON ({e.Message})"); }
        return new SafeTensorsHeader(shapes, metadata);
    }

    private static bool TryReadShape(JsonElement shape, out int[] dims)
    {
        dims = new int[shape.GetArrayLength()];
        for (int i = 0; i < dims.Length; i++)
            if (shape[i].ValueKind != JsonValueKind.Number || !shape[i].TryGetInt32(out dims[i])) return false;
        return true;
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

    private static Tensor ReadTensor(JsonProperty entry, ReadOnlySpan<byte> data, string source)
    {
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Bad(source, $"tensor '{entry.Name}' lacks a dtype, shape or data_offsets");
        string dtype = dtypeEl.GetString()!;
        int elementSize = dtype switch { "F32" => 4, "F16" => 2, "BF16" => 2, "I64" => 8, _ => 0 };
        if (elementSize == 0) throw Bad(source, $"tensor '{entry.Name}' has dtype {dtype}; F32, F16, BF16 and I64 are supported");

        var shape = new int[shapeEl.GetArrayLength()];
        long numel = 1;
        int d = 0;
        foreach (var s in shapeEl.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out shape[d]) || shape[d] < 0) throw Bad(source, $"tensor '{entry.Name}' has an invalid shape");
            numel *= shape[d++];
            if (numel > Array.MaxLength) throw Bad(source, $"tensor '{entry.Name}' has more elements than one buffer can hold");
        }
        if (shape.Length > Tensor.MaxRank) throw Bad(source, $"tensor '{entry.Name}' has {shape.Length} dimensions; at most {Tensor.MaxRank} are supported");
        if (offEl[0].ValueKind != JsonValueKind.Number || offEl[1].ValueKind != JsonValueKind.Number
            || !offEl[0].TryGetInt64(out long begin) || !offEl[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad(source, $"tensor '{entry.Name}' has invalid data_offsets");
        if (end > data.Length) throw Bad(source, $"tensor '{entry.Name}' ends at byte {end} but the data section has {data.Length} bytes (truncated)");
        if (end - begin != numel * elementSize)
            throw Bad(source, $"tensor '{entry.Name}' has {end - begin} bytes but shape {Tensor.FormatShape(shape)} of {dtype} needs {numel * elementSize}");

        var raw = data.Slice((int)begin, (int)(end - begin));
        var values = new float[numel];
        switch (dtype)
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
        return Tensor.FromArray(values, shape);
    }

    private const string Kind = "safetensors file";

    private static UserInputException Bad(string source, string what) =>
        new($"'{source}' is not a valid safetensors file: {what}.");
}
