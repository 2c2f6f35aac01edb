namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>Sums the rows of a dense <c>[rows, Width]</c> matrix (bias gradients, pooling) through <see cref="ChunkedReduction"/>.</summary>
internal readonly struct RowSum(FloatSlice data, int width) : IRowReducer
{
    public void AddRows(int first, int last, Span<float> partial) => ColumnSums.Add(data, width, first, last, partial);
}
