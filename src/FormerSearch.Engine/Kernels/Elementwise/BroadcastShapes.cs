namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>PyTorch's broadcasting rule for two shapes.</summary>
internal static class BroadcastShapes
{
    /// <summary>
    /// Writes the broadcast of <paramref name="a"/> and <paramref name="b"/> into <paramref name="result"/>
    /// (length = the larger rank) and returns its rank.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension differs and neither size is 1.</exception>
    public static int Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op} cannot broadcast shapes {Tensor.FormatShape(a)} and {Tensor.FormatShape(b)}: dimension {i} has sizes {da} and {db}.");
            result[i] = da == 1 ? db : da;
        }
        return rank;
    }

    /// <summary>True when <paramref name="shape"/> broadcasts to <paramref name="target"/> without growing it.</summary>
    public static bool BroadcastsTo(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (shape.Length > target.Length) return false;
        int lead = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] != 1 && shape[i] != target[lead + i]) return false;
        return true;
    }

    /// <summary>Row-major strides of a dense tensor of <paramref name="shape"/>.</summary>
    public static void DenseStrides(ReadOnlySpan<int> shape, Span<int> strides)
    {
        int s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }
    }
}
