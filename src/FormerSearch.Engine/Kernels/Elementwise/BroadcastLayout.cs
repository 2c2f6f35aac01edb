namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// Two operands seen over one output shape with PyTorch broadcasting: each operand's stride is 0 along
/// the dimensions it is broadcast over. Neighbouring dimensions that every operand walks as one run are
/// merged, so that <c>[B, N, C] + [1, N, C]</c> becomes rows of <c>N·C</c> and <c>[B, H, W, C] · [C]</c>
/// rows of <c>C</c>: the kernels then work on long contiguous (stride 1) or constant (stride 0) rows.
/// </summary>
internal struct BroadcastLayout
{
    /// <summary>Merged dimensions (at least one; the last is the row).</summary>
    public int Rank;
    public Dims Shape;
    public Dims StrideA;
    public Dims StrideB;

    /// <summary>Length of the innermost run.</summary>
    public readonly int RowLength => Shape[Rank - 1];

    /// <summary>The stride of operand A along the innermost run (0 or 1 for dense operands).</summary>
    public readonly int RowStrideA => StrideA[Rank - 1];

    /// <summary>The stride of operand B along the innermost run (0 or 1 for dense operands).</summary>
    public readonly int RowStrideB => StrideB[Rank - 1];

    /// <summary>Number of rows.</summary>
    public readonly int RowCount
    {
        get
        {
            int n = 1;
            for (int d = 0; d < Rank - 1; d++) n *= Shape[d];
            return n;
        }
    }

    /// <summary>
    /// The layout of operands A and B (shapes and strides, right-aligned against
    /// <paramref name="outShape"/>, which each must broadcast to) over <paramref name="outShape"/>.
    /// </summary>
    public static BroadcastLayout Create(ReadOnlySpan<int> outShape,
        ReadOnlySpan<int> aShape, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<int> bShape, ReadOnlySpan<int> bStrides)
    {
        var layout = default(BroadcastLayout);
        int rank = 0;
        for (int d = 0; d < outShape.Length; d++)
        {
            int size = outShape[d];
            // Size-1 dimensions are iterated once: dropping them lets their neighbours merge.
            if (size == 1) continue;
            int sa = StrideOf(d, outShape.Length, aShape, aStrides);
            int sb = StrideOf(d, outShape.Length, bShape, bStrides);
            if (rank > 0)
            {
                int inner = size;
                int prev = rank - 1;
                // The previous dimension merges with this one when each operand steps over it as
                // `size` steps of this one (both 0 when broadcast along both).
                if (layout.StrideA[prev] == sa * inner && layout.StrideB[prev] == sb * inner)
                {
                    layout.Shape[prev] *= inner;
                    layout.StrideA[prev] = sa;
                    layout.StrideB[prev] = sb;
                    continue;
                }
            }
            layout.Shape[rank] = size;
            layout.StrideA[rank] = sa;
            layout.StrideB[rank] = sb;
            rank++;
        }
        if (rank == 0)
        {
            layout.Shape[0] = 1;
            rank = 1;
        }
        layout.Rank = rank;
        return layout;
    }

    /// <summary>The offsets of operands A and B at the start of row <paramref name="row"/>.</summary>
    public readonly void RowOffsets(int row, out int offsetA, out int offsetB)
    {
        offsetA = 0;
        offsetB = 0;
        for (int d = Rank - 2; d >= 0 && row > 0; d--)
        {
            int size = Shape[d];
            int i = row % size;
            row /= size;
            offsetA += i * StrideA[d];
            offsetB += i * StrideB[d];
        }
    }

    /// <summary>
    /// Throws unless every element the layout reaches lies inside <paramref name="a"/>, <paramref name="b"/> and the
    /// dense <paramref name="output"/> (the kernels read and write them unchecked).
    /// </summary>
    /// <exception cref="ArgumentException">A slice is too short: a bug in the op that made it.</exception>
    public readonly void Require(FloatSlice a, FloatSlice b, FloatSlice output)
    {
        a.Require(Reach(StrideA), nameof(a));
        b.Require(Reach(StrideB), nameof(b));
        output.Require((long)RowCount * RowLength, nameof(output));
    }

    // One past the farthest element an operand with these strides is read at (0 for an empty layout).
    private readonly long Reach(Dims strides)
    {
        long reach = 1;
        for (int d = 0; d < Rank; d++)
        {
            if (Shape[d] == 0) return 0;
            reach += (long)(Shape[d] - 1) * strides[d];
        }
        return reach;
    }

    private static int StrideOf(int d, int outRank, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int od = d - (outRank - shape.Length);
        if (od < 0 || shape[od] == 1) return 0;
        return strides[od];
    }
}
