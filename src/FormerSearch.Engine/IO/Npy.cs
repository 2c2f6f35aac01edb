using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FormerSearch.Engine.IO;

/// <summary>
/// NumPy's .npy format (versions 1.0, 2.0 and 3.0), C order only. Reads little-endian
/// <c>&lt;f4</c>, <c>&lt;f8</c>, <c>|u1</c>, <c>&lt;i8</c> and <c>&lt;i4</c> into float32 tensors, and integer
/// files (labels) into <c>long</c> or <c>int</c> arrays; writes <c>&lt;f4</c> and <c>|u1</c>, atomically.
/// </summary>
public static class Npy
{
    /// <summary>Reads the array as a float32 tensor (outside any scope), converting from any supported dtype.</summary>
    /// <exception cref="UserInputException">The file is missing, truncated or malformed, Fortran-ordered, of an unsupported dtype, or has more than <see cref="Tensor.MaxRank"/> dimensions; the message names the file.</exception>
    public static Tensor Load(string path) => Parse(ReadAll(path), path);

    /// <summary>Parses .npy bytes as a float32 tensor; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>.</exception>
    public static Tensor Parse(ReadOnlySpan<byte> bytes, string source = "<memory>")
    {
        var header = Open(bytes, source, out var data);
        if (header.Shape.Length > Tensor.MaxRank)
            throw Bad(source, $"it has {header.Shape.Length} dimensions; a tensor has at most {Tensor.MaxRank}");
        var values = new float[header.Count];
        switch (header.Descr)
        {
            case "<f4": MemoryMarshal.Cast<byte, float>(data).CopyTo(values); break;
            case "<f8": for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]); break;
            case "|u1": for (int i = 0; i < values.Length; i++) values[i] = data[i]; break;
            case "<i8": for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]); break;
            case "<i4": for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]); break;
        }
        return Tensor.FromArray(values, IntShape(header));
    }

    /// <summary>Reads an integer array (<c>&lt;i8</c>, <c>&lt;i4</c> or <c>|u1</c>), e.g. labels, and its shape.</summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>, or the dtype is floating point.</exception>
    public static long[] LoadInt64(string path, out int[] shape) => ParseInt64(ReadAll(path), out shape, path);

    /// <summary>Parses .npy bytes as an integer array.</summary>
    /// <exception cref="UserInputException">As <see cref="LoadInt64"/>.</exception>
    public static long[] ParseInt64(ReadOnlySpan<byte> bytes, out int[] shape, string source = "<memory>")
    {
        var header = Open(bytes, source, out var data);
        shape = IntShape(header);
        var values = new long[header.Count];
        switch (header.Descr)
        {
            case "<i8": for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]); break;
            case "<i4": for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]); break;
            case "|u1": for (int i = 0; i < values.Length; i++) values[i] = data[i]; break;
            default: throw Bad(source, $"its dtype {InputText.Quote(header.Descr, 16)} is not an integer type (<i8, <i4 or |u1)");
        }
        return values;
    }

    /// <summary>Reads an integer array as <c>int</c>s.</summary>
    /// <exception cref="UserInputException">As <see cref="LoadInt64"/>, or a value does not fit in an <c>int</c>.</exception>
    public static int[] LoadInt32(string path, out int[] shape)
    {
        var wide = LoadInt64(path, out shape);
        var result = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue) throw Bad(path, $"element {i} ({wide[i]}) does not fit in a 32-bit integer");
            result[i] = (int)wide[i];
        }
        return result;
    }

    /// <summary>
    /// The dtype descriptor (such as <c>|u1</c> or <c>&lt;f4</c>) and shape of .npy bytes, without
    /// converting the data, so a caller can choose how to read it (e.g. keep uint8 images as bytes).
    /// </summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>.</exception>
    public static (string Dtype, int[] Shape) ParseHeader(ReadOnlySpan<byte> bytes, string source = "<memory>")
    {
        var header = Open(bytes, source, out _);
        return (header.Descr, IntShape(header));
    }

    /// <summary>Parses <c>|u1</c> .npy bytes as a byte array (one byte per element, no conversion) and its shape.</summary>
    /// <exception cref="UserInputException">As <see cref="Load"/>, or the dtype is not <c>|u1</c>.</exception>
    public static byte[] ParseUInt8(ReadOnlySpan<byte> bytes, out int[] shape, string source = "<memory>")
    {
        var header = Open(bytes, source, out var data);
        if (header.Descr != "|u1") throw Bad(source, $"its dtype {InputText.Quote(header.Descr, 16)} is not uint8 (|u1)");
        shape = IntShape(header);
        return data.ToArray();
    }

    /// <summary>Writes <paramref name="tensor"/> (any layout) as a C-order <c>&lt;f4</c> array, atomically (temporary file, then rename).</summary>
    public static void Save(string path, Tensor tensor)
    {
        var values = tensor.ToArray();
        WriteAtomically(path, NpyHeader.Build("<f4", tensor.Shape), MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Writes bytes as a C-order <c>|u1</c> array of <paramref name="shape"/>, atomically.</summary>
    /// <exception cref="ArgumentException">The byte count differs from the shape's element count.</exception>
    public static void SaveBytes(string path, ReadOnlySpan<byte> data, params ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int s in shape)
        {
            if (s < 0) throw new ArgumentException($"Shape {Tensor.FormatShape(shape)} has a negative size.", nameof(shape));
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException($"{data.Length} bytes cannot fill shape {Tensor.FormatShape(shape)} ({count} elements).", nameof(data));
        WriteAtomically(path, NpyHeader.Build("|u1", shape), data);
    }

    internal static UserInputException Bad(string source, string what) => new($"{InputText.QuotePath(source)} is not a valid .npy file: {what}.");

    private static NpyHeader Open(ReadOnlySpan<byte> bytes, string source, out ReadOnlySpan<byte> data)
    {
        var header = NpyHeader.Parse(bytes, source);
        if (header.FortranOrder)
            throw Bad(source, "it is in Fortran (column-major) order; save it with numpy.ascontiguousarray first");
        int itemSize = header.Descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, "|u1" => 1, _ => 0 };
        if (itemSize == 0) throw Bad(source, $"its dtype {InputText.Quote(header.Descr, 16)} is not supported (<f4, <f8, |u1, <i8, <i4 are)");
        long count;
        try { count = header.Count; }
        catch (OverflowException) { throw Bad(source, "its shape has too many elements"); }
        if (count > Array.MaxLength) throw Bad(source, $"its shape has {count} elements, more than one array can hold");
        foreach (long d in header.Shape)
            if (d > int.MaxValue) throw Bad(source, $"its dimension {d} is larger than a 32-bit size");
        long available = bytes.Length - header.DataOffset;
        if (available != count * itemSize)
            throw Bad(source, $"it has {available} data bytes but its shape and dtype {InputText.Quote(header.Descr, 16)} need {count * itemSize}" + (available < count * itemSize ? " (truncated)" : ""));
        data = bytes[header.DataOffset..];
        return header;
    }

    private static int[] IntShape(NpyHeader header)
    {
        var shape = new int[header.Shape.Length];
        for (int d = 0; d < shape.Length; d++) shape[d] = (int)header.Shape[d];
        return shape;
    }

    private static byte[] ReadAll(string path) => InputFile.ReadAll(path, ".npy file");

    private static void WriteAtomically(string path, byte[] header, ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy writing needs a little-endian machine.");
        using var file = AtomicFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(data);
        file.Commit();
    }
}
