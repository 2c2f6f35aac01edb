using System.Numerics.Tensors;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// The epilogue of a fused linear layer: <c>y = f(y + b)</c> in place, row by row, where each row is one output
/// position's channels and <c>b</c> is added to every row. A row is still in cache when its activation runs, so the
/// output is read and written once instead of once for the bias and once more for the activation. Threads take whole
/// rows, so the split never changes a result.
/// </summary>
internal static class BiasActivationKernel
{
    /// <summary><c>y[r, :] = f(y[r, :] + bias)</c> for each of <paramref name="rows"/> rows of <paramref name="cols"/> elements (no bias when <paramref name="bias"/> is empty, no activation for <see cref="ActivationKind.None"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than rows × cols, or a non-empty bias is not cols long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither a pointwise activation nor None.</exception>
    public static void Apply(FloatSlice y, int rows, int cols, FloatSlice bias, ActivationKind kind)
    {
        y.Require((long)rows * cols, nameof(y));
        if (bias.Length != 0 && bias.Length != cols)
            throw new ArgumentException($"A bias of {bias.Length} cannot be added to rows of {cols}.", nameof(bias));
        if (kind != ActivationKind.None && !ActivationKernels.IsPointwise(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "The epilogue applies a pointwise activation or none.");
        if (bias.Length == 0 && kind == ActivationKind.None) return;
        var tiles = new RowTiles(rows, cols);
        ParallelRunner.For(tiles.Count, tiles.Grain, new TilesBody(y, tiles, bias, kind));
    }

    private readonly struct TilesBody(FloatSlice y, RowTiles tiles, FloatSlice bias, ActivationKind kind) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int t = start; t < end; t++)
            {
                var (first, count) = tiles.Rows(t);
                ApplyRows(y.AsSpan(first * tiles.Cols, count * tiles.Cols), tiles.Cols, bias.Length == 0 ? default : bias.AsSpan(), kind);
            }
        }
    }

    /// <summary>
    /// <see cref="Apply"/> on one thread over the rows of <paramref name="y"/> (<paramref name="cols"/> each), which should
    /// be a cache-sized block; arguments already checked.
    /// </summary>
    internal static void ApplyRows(Span<float> y, int cols, ReadOnlySpan<float> bias, ActivationKind kind)
    {
        if (!bias.IsEmpty)
        {
            for (int at = 0; at + cols <= y.Length; at += cols) TensorPrimitives.Add(y.Slice(at, cols), bias, y.Slice(at, cols));
        }
        // One activation call per block, not per row: rows of a few channels would otherwise cost a call each.
        if (kind != ActivationKind.None) ActivationKernels.ForwardSpan(kind, y, y);
    }
}
