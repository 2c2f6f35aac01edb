namespace FormerSearch.Export;

/// <summary>
/// Dimension orders of graph values. A layout (a "perm") says which engine dimension each ONNX dimension holds: ONNX
/// dimension <c>i</c> is engine dimension <c>perm[i]</c>. The engine is channels-last (<c>[B, H, W, C]</c>); the graph keeps
/// feature maps channels-first (<c>[B, C, H, W]</c>, perm <c>[0, 3, 1, 2]</c>) as PyTorch models do.
/// </summary>
internal static class Layouts
{
    /// <summary><c>[0, 1, …, rank − 1]</c>: the engine's own order.</summary>
    public static int[] Identity(int rank)
    {
        var perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        return perm;
    }

    /// <summary>The channels (the engine's last dimension) second, after the batch: <c>[0, r−1, 1, …, r−2]</c> (NCHW, NCL).</summary>
    public static int[] ChannelsFirst(int rank)
    {
        if (rank < 3) return Identity(rank);
        var perm = new int[rank];
        perm[1] = rank - 1;
        for (int i = 2; i < rank; i++) perm[i] = i - 1;
        return perm;
    }

    /// <summary>
    /// The layout PyTorch code holds a value of <paramref name="rank"/> dimensions in: feature maps NCHW, everything else
    /// (tokens <c>[B, N, C]</c>, matrices, attention heads) as the engine orders it. Where two layouts meet, this one wins.
    /// </summary>
    public static int[] Canonical(int rank) => rank == 4 ? ChannelsFirst(4) : Identity(rank);

    /// <summary>The engine order with the last two dimensions swapped (a matrix held transposed).</summary>
    public static int[] LastTwoSwapped(int rank)
    {
        var perm = Identity(rank);
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return perm;
    }

    /// <summary>The inverse permutation: <c>result[perm[i]] = i</c> (for a layout: the ONNX position of each engine dimension).</summary>
    public static int[] Inverse(int[] perm)
    {
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return inverse;
    }

    /// <summary>True when the two orders are the same.</summary>
    public static bool Same(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>True for <c>[0, 1, …]</c>.</summary>
    public static bool IsIdentity(int[] perm)
    {
        for (int i = 0; i < perm.Length; i++)
            if (perm[i] != i) return false;
        return true;
    }

    /// <summary><paramref name="engineShape"/> in the order of <paramref name="perm"/>.</summary>
    public static long[] OnnxShape(ReadOnlySpan<int> engineShape, int[] perm)
    {
        var shape = new long[perm.Length];
        for (int i = 0; i < perm.Length; i++) shape[i] = engineShape[perm[i]];
        return shape;
    }

    /// <summary>
    /// The layout after an op removes engine dimensions <paramref name="removed"/> (a reduction, a Select): their
    /// positions dropped, the remaining engine dimensions renumbered.
    /// </summary>
    public static int[] WithoutDims(int[] perm, IReadOnlyCollection<int> removed)
    {
        var result = new List<int>(perm.Length);
        foreach (int d in perm)
        {
            if (removed.Contains(d)) continue;
            int below = 0;
            foreach (int r in removed) if (r < d) below++;
            result.Add(d - below);
        }
        return [.. result];
    }

    /// <summary>
    /// Row-major <paramref name="data"/> of engine shape <paramref name="shape"/> rearranged into layout
    /// <paramref name="perm"/> (what a Transpose with that perm would give).
    /// </summary>
    public static float[] Permute(float[] data, ReadOnlySpan<int> shape, int[] perm)
    {
        if (IsIdentity(perm)) return data;
        int rank = shape.Length;
        var strides = new long[rank];
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        var outShape = new int[rank];
        var outStrides = new long[rank];     // the source stride of each output dimension
        for (int i = 0; i < rank; i++)
        {
            outShape[i] = shape[perm[i]];
            outStrides[i] = strides[perm[i]];
        }
        var result = new float[data.Length];
        var index = new int[rank];
        long source = 0;
        for (int n = 0; n < result.Length; n++)
        {
            result[n] = data[source];
            for (int d = rank - 1; d >= 0; d--)
            {
                source += outStrides[d];
                if (++index[d] < outShape[d]) break;
                source -= outStrides[d] * outShape[d];
                index[d] = 0;
            }
        }
        return result;
    }
}
