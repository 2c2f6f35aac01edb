using System.Numerics.Tensors;

namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>Sums the rows of a dense <c>[rows, Width]</c> matrix (bias gradients, pooling) through <see cref="ChunkedReduction"/>.</summary>
internal readonly struct RowSum(float[] data, int offset, int width) : IRowReducer
{
    public void AddRow(int row, Span<float> partial) =>
        TensorPrimitives.Add(partial, data.AsSpan(offset + row * width, width), partial);
}
