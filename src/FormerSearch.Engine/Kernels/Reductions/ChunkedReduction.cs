using System.Numerics.Tensors;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// A deterministic parallel sum over rows: rows are cut into fixed chunks of <see cref="ChunkRows"/>,
/// each chunk is summed in row order into its own partial vector (in parallel), and the partials are
/// added in chunk order. The grouping depends only on the row count, never on the thread count, so
/// weight and bias gradients and batch statistics are bit-identical for any number of threads.
/// </summary>
internal static class ChunkedReduction
{
    /// <summary>Rows per chunk: enough work per chunk to amortise dispatch, few enough partials to add.</summary>
    public const int ChunkRows = 32;

    /// <summary>
    /// Adds the sum over rows <c>[0, rows)</c> of each row's contribution to <paramref name="destination"/> (a gradient):
    /// the sum is formed apart (<see cref="Run"/>) and added once, so each element of the destination is rounded once.
    /// </summary>
    public static void AddInto<TOp>(int rows, TOp op, Span<float> destination) where TOp : struct, IRowReducer
    {
        int width = destination.Length;
        float[] sums = BufferPool.Rent(width);
        try
        {
            var result = sums.AsSpan(0, width);
            Run(rows, op, result);
            TensorPrimitives.Add(destination, result, destination);
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }

    /// <summary>Sets <paramref name="result"/> to the sum over rows <c>[0, rows)</c> of each row's contribution.</summary>
    public static void Run<TOp>(int rows, TOp op, Span<float> result) where TOp : struct, IRowReducer
    {
        result.Clear();
        int chunks = (rows + ChunkRows - 1) / ChunkRows;
        if (chunks <= 1)
        {
            if (rows > 0) op.AddRows(0, rows, result);
            return;
        }
        int width = result.Length;
        float[] partials = BufferPool.Rent(chunks * width);
        try
        {
            ParallelRunner.For(chunks, 1, new Body<TOp> { Op = op, Partials = partials, Width = width, Rows = rows });
            for (int c = 0; c < chunks; c++)
                TensorPrimitives.Add(result, partials.AsSpan(c * width, width), result);
        }
        finally
        {
            BufferPool.Return(partials);
        }
    }

    /// <summary>
    /// Per segment of <paramref name="rowsPerSegment"/> consecutive rows (a sample), sets its slice of
    /// <paramref name="results"/> (<c>segments × width</c>) to the sum of its rows' contributions; the
    /// op receives global row indices. One parallel dispatch for all segments; chunks never straddle two
    /// segments, so each segment's sum is grouped exactly as <see cref="Run"/> would group it.
    /// </summary>
    public static void RunSegmented<TOp>(int segments, int rowsPerSegment, int width, TOp op, Span<float> results) where TOp : struct, IRowReducer
    {
        results = results[..(segments * width)];
        results.Clear();
        int perSegment = (rowsPerSegment + ChunkRows - 1) / ChunkRows;
        int chunks = segments * perSegment;
        if (chunks == 0 || width == 0) return;
        float[] partials = BufferPool.Rent(chunks * width);
        try
        {
            ParallelRunner.For(chunks, 1, new SegmentedBody<TOp>
            {
                Op = op, Partials = partials, Width = width, RowsPerSegment = rowsPerSegment, ChunksPerSegment = perSegment,
            });
            for (int s = 0; s < segments; s++)
            {
                var result = results.Slice(s * width, width);
                for (int c = 0; c < perSegment; c++)
                    TensorPrimitives.Add(result, partials.AsSpan((s * perSegment + c) * width, width), result);
            }
        }
        finally
        {
            BufferPool.Return(partials);
        }
    }

    private struct SegmentedBody<TOp> : IRangeBody where TOp : struct, IRowReducer
    {
        public TOp Op;
        public float[] Partials;
        public int Width, RowsPerSegment, ChunksPerSegment;

        public void Invoke(int start, int end)
        {
            for (int c = start; c < end; c++)
            {
                var partial = Partials.AsSpan(c * Width, Width);
                partial.Clear();
                int segment = c / ChunksPerSegment, local = c % ChunksPerSegment;
                int first = segment * RowsPerSegment + local * ChunkRows;
                int last = segment * RowsPerSegment + Math.Min(RowsPerSegment, (local + 1) * ChunkRows);
                if (last > first) Op.AddRows(first, last, partial);
            }
        }
    }

    private struct Body<TOp> : IRangeBody where TOp : struct, IRowReducer
    {
        public TOp Op;
        public float[] Partials;
        public int Width, Rows;

        public void Invoke(int start, int end)
        {
            for (int c = start; c < end; c++)
            {
                var partial = Partials.AsSpan(c * Width, Width);
                partial.Clear();
                Op.AddRows(c * ChunkRows, Math.Min(Rows, (c + 1) * ChunkRows), partial);
            }
        }
    }
}
