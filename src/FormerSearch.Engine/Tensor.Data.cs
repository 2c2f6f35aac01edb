using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine;

public partial class Tensor
{
    /// <summary>The elements of a contiguous tensor, in place.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a non-contiguous view.</exception>
    public Span<float> AsSpan()
    {
        ThrowIfReleased();
        if (!IsContiguous)
            throw new InvalidOperationException($"AsSpan needs a contiguous tensor; this {FormatShape(Shape)} view is strided (call Contiguous() first).");
        return Data.AsSpan(Offset, _numel);
    }

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray()
    {
        ThrowIfReleased();
        var result = new float[_numel];
        StridedOps.CopyTo(this, result);
        return result;
    }

    /// <summary>The one element of a single-element tensor.</summary>
    public float Item()
    {
        if (_numel != 1) throw new InvalidOperationException($"Item needs a single-element tensor, not {FormatShape(Shape)}.");
        ThrowIfReleased();
        return Data[Offset];
    }

    /// <summary>The element at <paramref name="index"/> (one index per dimension).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params ReadOnlySpan<int> index]
    {
        get => Data[ElementOffset(index)];
        set => Data[ElementOffset(index)] = value;
    }

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (same shape, any layouts; not recorded).</summary>
    public void CopyFrom(Tensor source)
    {
        ThrowIfReleased();
        if (!Shape.SequenceEqual(source.Shape))
            throw new ArgumentException($"Cannot copy a {FormatShape(source.Shape)} tensor into a {FormatShape(Shape)} one.");
        StridedOps.Copy(source, this);
    }

    /// <summary>A contiguous copy with no autograd history.</summary>
    public Tensor Clone()
    {
        var t = Empty(Shape);
        StridedOps.Copy(this, t);
        return t;
    }

    private int ElementOffset(ReadOnlySpan<int> index)
    {
        ThrowIfReleased();
        if (index.Length != _rank) throw new ArgumentException($"Expected {_rank} indices, got {index.Length}.");
        int offset = Offset;
        for (int d = 0; d < _rank; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
                throw new IndexOutOfRangeException($"Index {index[d]} is outside dimension {d} of size {_shape[d]}.");
            offset += index[d] * _strides[d];
        }
        return offset;
    }
}
