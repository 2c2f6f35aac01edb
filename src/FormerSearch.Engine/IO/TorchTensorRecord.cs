using System.Buffers.Binary;

namespace FormerSearch.Engine.IO;

/// <summary>
/// A tensor of a checkpoint as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view of <see cref="Storage"/> from
/// element <see cref="Offset"/> with <see cref="Shape"/> and <see cref="Stride"/> (in elements). Several tensors may view
/// one storage, with offsets, steps, transposes or zero strides; <see cref="ToTensor"/> copies the view's elements in
/// row-major order into a float32 tensor.
/// </summary>
internal sealed class TorchTensorRecord(TorchStorage storage, long offset, long[] shape, long[] stride)
{
    /// <summary>The storage viewed.</summary>
    public TorchStorage Storage { get; } = storage;

    /// <summary>First element of the view in the storage.</summary>
    public long Offset { get; } = offset;

    /// <summary>Sizes of the view.</summary>
    public long[] Shape { get; } = shape;

    /// <summary>Strides of the view, in elements.</summary>
    public long[] Stride { get; } = stride;

    /// <summary>
    /// The shape as <see cref="Tensor"/> takes it, after checking that the view lies inside its storage: the rank, sizes and strides
    /// are in range and the last element it reaches is one the storage has. <paramref name="describe"/> names the tensor in errors.
    /// </summary>
    /// <exception cref="UserInputException">The view is impossible (a malformed or hostile checkpoint).</exception>
    public int[] CheckedShape(Func<string, UserInputException> describe)
    {
        if (Shape.Length != Stride.Length) throw describe($"has {Shape.Length} sizes but {Stride.Length} strides");
        if (Shape.Length > Tensor.MaxRank) throw describe($"has {Shape.Length} dimensions; at most {Tensor.MaxRank} are supported");
        if (Offset < 0) throw describe($"starts at element {Offset}");
        var dims = new int[Shape.Length];
        long numel = 1, last = Offset;
        try
        {
            for (int d = 0; d < Shape.Length; d++)
            {
                if (Shape[d] < 0 || Shape[d] > int.MaxValue || Stride[d] < 0) throw describe($"has size {Shape[d]} and stride {Stride[d]} in dimension {d}");
                dims[d] = (int)Shape[d];
                numel = checked(numel * Shape[d]);
                if (Shape[d] > 0) last = checked(last + (Shape[d] - 1) * Stride[d]);
            }
        }
        catch (OverflowException)
        {
            throw describe("has sizes or strides too large to address");
        }
        if (numel > Array.MaxLength) throw describe($"has {numel} elements, more than one buffer can hold");
        if (numel > 0 && last >= Storage.Numel)
            throw describe($"reaches element {last} of storage '{Storage.Key}', which has {Storage.Numel}");
        return dims;
    }

    /// <summary>The view's elements, row-major, converted to float32; <paramref name="bytes"/> is the whole storage (already checked to hold <see cref="TorchStorage.Numel"/> elements).</summary>
    public Tensor ToTensor(int[] shape, ReadOnlySpan<byte> bytes)
    {
        var values = new float[Tensor.CheckedNumel(shape)];
        if (values.Length > 0) Gather(values, bytes);
        return Tensor.FromArray(values, shape);
    }

    // Walks the view one innermost row at a time: an odometer over the outer dimensions gives each row's first element.
    private void Gather(Span<float> values, ReadOnlySpan<byte> bytes)
    {
        int rank = Shape.Length;
        long rowLength = rank == 0 ? 1 : Shape[rank - 1], rowStride = rank == 0 ? 1 : Stride[rank - 1];
        var index = new long[Math.Max(rank - 1, 0)];
        int written = 0;
        while (written < values.Length)
        {
            long start = Offset;
            for (int d = 0; d < index.Length; d++) start += index[d] * Stride[d];
            ReadRow(bytes, start, rowStride, values.Slice(written, (int)rowLength));
            written += (int)rowLength;
            for (int d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < Shape[d]) break;
                index[d] = 0;
            }
        }
    }

    private void ReadRow(ReadOnlySpan<byte> bytes, long start, long stride, Span<float> row)
    {
        int size = Storage.Type.ElementSize;
        for (int k = 0; k < row.Length; k++)
        {
            var e = bytes.Slice((int)((start + k * stride) * size), size);
            row[k] = Storage.Type.DType switch
            {
                TorchDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(e),
                TorchDType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
                TorchDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
                TorchDType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(e),
                TorchDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
                TorchDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
                TorchDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(e),
                TorchDType.Int8 => (sbyte)e[0],
                _ => e[0],
            };
        }
    }
}
