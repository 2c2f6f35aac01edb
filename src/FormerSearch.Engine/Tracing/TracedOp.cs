namespace FormerSearch.Engine.Tracing;

/// <summary>
/// One op as an <see cref="OpTrace"/> saw it: what it computed, the tensors it read (null for an absent optional input,
/// such as a bias) and the tensor it returned, with the attributes its <see cref="TracedOpKind"/> names. The tensors
/// are the caller's own objects, so a consumer follows the data flow by reference.
/// </summary>
/// <param name="Kind">What was computed.</param>
/// <param name="Output">The result.</param>
/// <param name="Inputs">The tensor arguments in the op's order.</param>
public sealed record TracedOp(TracedOpKind Kind, Tensor Output, params Tensor?[] Inputs)
{
    /// <summary>The activation of <see cref="TracedOpKind.Activation"/>.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.None;

    /// <summary>The dimension an op works along (Glu, Concat, Narrow, Select); non-negative.</summary>
    public int Axis { get; init; }

    /// <summary>First index of a Narrow, the index of a Select.</summary>
    public int Start { get; init; }

    /// <summary>Length of a Narrow.</summary>
    public int Length { get; init; }

    /// <summary>Target shape of a Reshape or Expand; the index layout of an Embedding.</summary>
    public int[] Shape { get; init; } = [];

    /// <summary>Dimension order of a Permute; reduced dimensions of a Sum or Mean (non-negative).</summary>
    public int[] Dims { get; init; } = [];

    /// <summary>Row indices of an Embedding.</summary>
    public int[] Indices { get; init; } = [];

    /// <summary>Window of a pooling.</summary>
    public (int H, int W) Kernel { get; init; }

    /// <summary>Stride of a convolution or pooling.</summary>
    public (int H, int W) Stride { get; init; } = (1, 1);

    /// <summary>Zero padding on each side of a convolution or pooling.</summary>
    public (int H, int W) Padding { get; init; }

    /// <summary>Groups of a convolution.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Epsilon of a norm.</summary>
    public float Eps { get; init; }

    /// <summary>A reduction keeps its reduced dimensions with size 1.</summary>
    public bool KeepDim { get; init; }

    /// <summary>A pooling's divisor counts the padding.</summary>
    public bool CountIncludePad { get; init; }

    /// <summary>A BatchNorm used (and updated) batch statistics.</summary>
    public bool Training { get; init; }
}
