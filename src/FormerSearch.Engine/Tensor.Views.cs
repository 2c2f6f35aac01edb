using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public partial class Tensor
{
    /// <summary>
    /// A view of the same buffer: no copy, and gradients that flow into it land in the matching
    /// elements of this tensor's gradient.
    /// </summary>
    internal Tensor View(int offset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        ThrowIfReleased();
        var v = RentObject();
        if (TensorScope.IsActive) TensorScope.Register(v);
        v._data = _data;
        v._offset = offset;
        v.SetLayout(shape, strides);
        v.Base = Base ?? this;
        v.RequiresGrad = RequiresGrad;
        return v;
    }

    /// <summary>
    /// The same elements in another shape (one size may be -1, inferred). A view when the layout
    /// allows it, otherwise a contiguous copy first, as PyTorch's <c>reshape</c>.
    /// </summary>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        using var trace = OpTrace.Enter();
        Span<int> resolved = stackalloc int[shape.Length];
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == -1)
            {
                if (inferred >= 0) throw new ArgumentException($"Reshape to {FormatShape(shape)} has more than one -1.");
                inferred = d;
            }
            else
            {
                if (shape[d] < 0) throw new ArgumentException($"Reshape to {FormatShape(shape)} has a negative size.");
                known *= shape[d];
            }
            resolved[d] = shape[d];
        }
        if (inferred >= 0)
        {
            if (known == 0 || _numel % known != 0)
                throw new ArgumentException($"Cannot reshape {FormatShape(Shape)} to {FormatShape(shape)}.");
            resolved[inferred] = (int)(_numel / known);
        }
        if (CheckedNumel(resolved) != _numel)
            throw new ArgumentException($"Cannot reshape {FormatShape(Shape)} ({_numel} elements) to {FormatShape(shape)}.");

        var source = IsContiguous ? this : Contiguous();
        Span<int> strides = stackalloc int[resolved.Length];
        int stride = 1;
        for (int d = resolved.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= resolved[d];
        }
        var view = source.View(source._offset, resolved, strides);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Reshape, view, this) { Shape = resolved.ToArray() }) : view;
    }

    /// <summary>The dimensions reordered: result dimension i is this tensor's dimension <c>dims[i]</c> (a view).</summary>
    public Tensor Permute(params ReadOnlySpan<int> dims)
    {
        if (dims.Length != _rank)
            throw new ArgumentException($"Permute needs {_rank} dimensions, got {dims.Length}.");
        using var trace = OpTrace.Enter();
        Span<int> shape = stackalloc int[_rank];
        Span<int> strides = stackalloc int[_rank];
        int seen = 0;
        for (int i = 0; i < _rank; i++)
        {
            int d = NormalizeDim(dims[i]);
            if ((seen & (1 << d)) != 0) throw new ArgumentException($"Permute lists dimension {d} twice.");
            seen |= 1 << d;
            shape[i] = _shape[d];
            strides[i] = _strides[d];
        }
        var view = View(_offset, shape, strides);
        if (!trace.IsRecording) return view;
        var order = new int[_rank];
        for (int i = 0; i < _rank; i++) order[i] = NormalizeDim(dims[i]);
        return trace.Record(new TracedOp(TracedOpKind.Permute, view, this) { Dims = order });
    }

    /// <summary>Dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped (a view).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        Span<int> dims = stackalloc int[_rank];
        for (int i = 0; i < _rank; i++) dims[i] = i;
        int a = NormalizeDim(dim0), b = NormalizeDim(dim1);
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(dims);
    }

    /// <summary>
    /// Elements <c>[start, start + length)</c> along <paramref name="dim"/> (a view). Along dimension 0
    /// this is a run of rows; along the last dimension of a matrix, a sub-block with a leading dimension.
    /// </summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = NormalizeDim(dim);
        if (start < 0 || length < 0 || start + length > _shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow [{start}, {start + length}) is outside dimension {d} of size {_shape[d]}.");
        Span<int> shape = stackalloc int[_rank];
        Shape.CopyTo(shape);
        shape[d] = length;
        using var trace = OpTrace.Enter();
        var view = View(_offset + start * _strides[d], shape, Strides);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Narrow, view, this) { Axis = d, Start = start, Length = length }) : view;
    }

    /// <summary>The first <paramref name="rows"/> rows and <paramref name="cols"/> columns of a matrix (a view), as an entangled weight is.</summary>
    public Tensor Block(int rows, int cols) => Block(0, rows, 0, cols);

    /// <summary>Rows <c>[rowStart, rowStart + rows)</c> and columns <c>[colStart, colStart + cols)</c> of a matrix (a view).</summary>
    public Tensor Block(int rowStart, int rows, int colStart, int cols)
    {
        if (_rank != 2) throw new InvalidOperationException($"Block needs a matrix; this tensor has shape {FormatShape(Shape)}.");
        return Narrow(0, rowStart, rows).Narrow(1, colStart, cols);
    }

    /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, that dimension removed (a view).</summary>
    public Tensor Select(int dim, int index)
    {
        int d = NormalizeDim(dim);
        if ((uint)index >= (uint)_shape[d])
            throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is outside dimension {d} of size {_shape[d]}.");
        Span<int> shape = stackalloc int[_rank - 1];
        Span<int> strides = stackalloc int[_rank - 1];
        for (int i = 0, j = 0; i < _rank; i++)
        {
            if (i == d) continue;
            shape[j] = _shape[i];
            strides[j++] = _strides[i];
        }
        using var trace = OpTrace.Enter();
        var view = View(_offset + index * _strides[d], shape, strides);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Select, view, this) { Axis = d, Start = index }) : view;
    }

    /// <summary>A view sharing the buffer that records no gradient.</summary>
    public Tensor Detach()
    {
        using var trace = OpTrace.Enter();
        var v = View(_offset, Shape, Strides);
        v.RequiresGrad = false;
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Identity, v, this)) : v;
    }

    /// <summary>This tensor if it is contiguous, else a contiguous copy (recorded for autograd).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        using var trace = OpTrace.Enter();
        var copy = ContiguousFunction.Apply(this);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Identity, copy, this)) : copy;
    }
}
