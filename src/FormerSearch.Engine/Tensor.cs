using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine;

/// <summary>
/// A float32 tensor: a window (offset, shape, strides) on a buffer. Row-major and channels-last by
/// convention (<c>[B, H, W, C]</c> feature maps, <c>[B, N, C]</c> tokens). Views share their base's
/// buffer; a view's gradient is the same view of its base's gradient.
/// </summary>
public partial class Tensor
{
    /// <summary>The largest rank a tensor can have.</summary>
    public const int MaxRank = 6;

    private float[] _data = [];
    private int _offset;
    private Dims _shape;
    private Dims _strides;
    private int _rank;
    private int _numel;
    // The tensor owning the buffer when this one is a view; null for owners.
    internal Tensor? Base;
    // True when the buffer came from the BufferPool and goes back there when this tensor is released.
    private bool _ownsPooledBuffer;

    /// <summary>True when the buffer (this tensor's or, for a view, its base's) goes back to the pool when its scope ends.</summary>
    internal bool HasPooledStorage => (Base ?? this)._ownsPooledBuffer;

    /// <summary>Whether gradients are computed for this tensor.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>
    /// The accumulated gradient, or null before any flowed in. For a view it is the same view of its
    /// base's gradient, even when the gradient reached the base through another view.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            ThrowIfReleased();
            // EnsureGrad also writes zeros ZeroGrad left pending.
            return _grad is not null || Base?._grad is not null ? EnsureGrad() : null;
        }
        internal set
        {
            _grad = value;
            _gradZeroPending = false;
        }
    }

    private Tensor? _grad;

    // ZeroGrad's zeros not yet written (see ZeroGrad): the buffer still holds the last gradient.
    private bool _gradZeroPending;

    /// <summary>The node that produced this tensor, or null for leaves.</summary>
    internal Function? GradFn;

    protected Tensor() { }

    /// <summary>Number of dimensions.</summary>
    /// <exception cref="ObjectDisposedException">The tensor's scope has ended (as for every member that reads the tensor).</exception>
    public int Rank
    {
        get
        {
            ThrowIfReleased();
            return _rank;
        }
    }

    /// <summary>Number of elements.</summary>
    public int Numel
    {
        get
        {
            ThrowIfReleased();
            return _numel;
        }
    }

    /// <summary>The size of each dimension.</summary>
    public ReadOnlySpan<int> Shape
    {
        get
        {
            ThrowIfReleased();
            return ((ReadOnlySpan<int>)_shape)[.._rank];
        }
    }

    /// <summary>The distance in elements between neighbours along each dimension.</summary>
    public ReadOnlySpan<int> Strides
    {
        get
        {
            ThrowIfReleased();
            return ((ReadOnlySpan<int>)_strides)[.._rank];
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Size(int dim) => _shape[NormalizeDim(dim)];

    /// <summary>The stride of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Stride(int dim) => _strides[NormalizeDim(dim)];

    /// <summary>True when the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous
    {
        get
        {
            ThrowIfReleased();
            int expected = 1;
            for (int d = _rank - 1; d >= 0; d--)
            {
                if (_shape[d] != 1 && _strides[d] != expected) return false;
                expected *= _shape[d];
            }
            return true;
        }
    }

    /// <summary>True for leaves (parameters, inputs) rather than op results.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>A new tensor of this shape with unspecified contents.</summary>
    public static Tensor Empty(params ReadOnlySpan<int> shape)
    {
        int numel = CheckedNumel(shape);
        var t = RentObject();
        if (TensorScope.IsActive)
        {
            t._data = BufferPool.Rent(numel);
            t._ownsPooledBuffer = true;
            TensorScope.Register(t);
        }
        else
        {
            t._data = numel == 0 ? [] : new float[numel];
        }
        t._offset = 0;
        t.SetContiguous(shape, numel);
        return t;
    }

    /// <summary>A new tensor of this shape filled with zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        if (t._ownsPooledBuffer) t._data.AsSpan(0, t._numel).Clear();
        return t;
    }

    /// <summary>A new tensor of this shape filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        t._data.AsSpan(0, t._numel).Fill(value);
        return t;
    }

    /// <summary>A new tensor of this shape filled with ones.</summary>
    public static Tensor Ones(params ReadOnlySpan<int> shape) => Full(1f, shape);

    /// <summary>A new tensor holding a copy of <paramref name="values"/> in this shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> values, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        if (values.Length != t._numel)
            throw new ArgumentException($"{values.Length} values cannot fill shape {FormatShape(shape)} ({t._numel} elements).", nameof(values));
        values.CopyTo(t._data);
        return t;
    }

    /// <summary>
    /// A tensor over <paramref name="data"/> itself (no copy), outside any scope; the array must hold
    /// exactly the shape's element count.
    /// </summary>
    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> shape)
    {
        int numel = CheckedNumel(shape);
        if (data.Length != numel)
            throw new ArgumentException($"{data.Length} values cannot fill shape {FormatShape(shape)} ({numel} elements).", nameof(data));
        var t = new Tensor { _data = data };
        t.SetContiguous(shape, numel);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>"[2, 3, 4]".</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public override string ToString() =>
        IsReleased ? "Tensor (released: its scope has ended)" : $"Tensor{FormatShape(Shape)}" + (RequiresGrad ? " requires_grad" : "");

    internal int NormalizeDim(int dim)
    {
        ThrowIfReleased();
        int d = dim < 0 ? dim + _rank : dim;
        if ((uint)d >= (uint)_rank)
            throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for a tensor of rank {_rank}.");
        return d;
    }

    internal void SetContiguous(ReadOnlySpan<int> shape, int numel)
    {
        _rank = shape.Length;
        _numel = numel;
        int stride = 1;
        for (int d = _rank - 1; d >= 0; d--)
        {
            _shape[d] = shape[d];
            _strides[d] = stride;
            stride *= shape[d];
        }
    }

    internal void SetLayout(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        _rank = shape.Length;
        int numel = 1;
        for (int d = 0; d < _rank; d++)
        {
            _shape[d] = shape[d];
            _strides[d] = strides[d];
            numel *= shape[d];
        }
        _numel = numel;
    }

    internal static int CheckedNumel(ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxRank)
            throw new ArgumentException($"A tensor has at most {MaxRank} dimensions; shape {FormatShape(shape)} has {shape.Length}.");
        long numel = 1;
        foreach (int s in shape)
        {
            if (s < 0) throw new ArgumentException($"Shape {FormatShape(shape)} has a negative size.");
            numel *= s;
            if (numel > Array.MaxLength) throw new ArgumentException($"Shape {FormatShape(shape)} has more elements than one buffer can hold.");
        }
        return (int)numel;
    }
}
