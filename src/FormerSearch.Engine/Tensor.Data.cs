using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine;

public partial class Tensor
{
    /// <summary>
    /// The elements of this contiguous tensor, in order, as a kernel argument: how ops hand a tensor to a kernel.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tensor's scope has ended.</exception>
    /// <exception cref="InvalidOperationException">The tensor is a strided view (an op makes it contiguous first).</exception>
    internal FloatSlice Elements
    {
        get
        {
            ThrowIfReleased();
            if (!IsContiguous) ThrowStrided();
            return new FloatSlice(_data, _offset, _numel);
        }
    }

    /// <summary>
    /// Every element this tensor reaches, from its first (element <c>[i0, i1, …]</c> at <c>Σ i_d·stride_d</c>): the
    /// kernel argument of a tensor read through its strides (a transposed matrix, a weight sub-block).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tensor's scope has ended.</exception>
    internal FloatSlice StridedElements
    {
        get
        {
            ThrowIfReleased();
            long extent = 0;
            if (_numel > 0)
            {
                extent = 1;
                for (int d = 0; d < _rank; d++) extent += (long)(_shape[d] - 1) * _strides[d];
            }
            return new FloatSlice(_data, _offset, (int)extent);
        }
    }

    private void ThrowStrided() =>
        throw new InvalidOperationException($"A kernel needs a contiguous tensor; this {FormatShape(Shape)} view is strided.");

    /// <summary>The elements of a contiguous tensor, in place.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a non-contiguous view.</exception>
    public Span<float> AsSpan()
    {
        ThrowIfReleased();
        if (!IsContiguous)
            throw new InvalidOperationException($"AsSpan needs a contiguous tensor; this {FormatShape(Shape)} view is strided (call Contiguous() first).");
        return _data.AsSpan(_offset, _numel);
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
        ThrowIfReleased();
        if (_numel != 1) throw new InvalidOperationException($"Item needs a single-element tensor, not {FormatShape(Shape)}.");
        return _data[_offset];
    }

    /// <summary>The element at <paramref name="index"/> (one index per dimension).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params ReadOnlySpan<int> index]
    {
        get => _data[ElementOffset(index)];
        set => _data[ElementOffset(index)] = value;
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
        int offset = _offset;
        for (int d = 0; d < _rank; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
                throw new IndexOutOfRangeException($"Index {index[d]} is outside dimension {d} of size {_shape[d]}.");
            offset += index[d] * _strides[d];
        }
        return offset;
    }
}
