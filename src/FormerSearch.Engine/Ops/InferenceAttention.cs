using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Kernels.Softmax;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Forward-only multi-head attention, <c>softmax(q·kᵀ/√d)·v</c> per head with the heads merged, as ONNX Runtime fuses
/// it: the work is split into heads, or blocks of <see cref="RowBlock"/> query rows of one head when there are few, and each block's scores are
/// computed (the scale folded into the product), normalised and multiplied by v while they sit in a small scratch
/// buffer, the result written straight into its place in <c>[B, N, h·e]</c>. Unfused, the scaled queries, the
/// <c>[B, h, N, M]</c> scores, their softmax and the per-head output each take a pass over memory, and a copy merges the
/// heads. Blocks use the managed GEMM whatever the thread count (each block on one thread), so results do not depend on
/// it. It records nothing: <see cref="Functional.MultiHeadAttention"/> uses it only when no input needs a gradient.
/// </summary>
internal static class InferenceAttention
{
    /// <summary>Query rows per unit of work when there are few heads: enough for the GEMM's register tiles, few enough that a block's scores stay in L1/L2.</summary>
    public const int RowBlock = 32;

    /// <summary>From this many heads in the batch on, a unit is a whole head: enough units for the threads, and k and v are packed once per head.</summary>
    public const int WholeHeadsFrom = 8;

    /// <summary>True when the shapes fit: q <c>[B, h, N, d]</c>, k <c>[B, h, M, d]</c>, v <c>[B, h, M, e]</c>.</summary>
    public static bool Fits(Tensor q, Tensor k, Tensor v) =>
        q.Rank == 4 && k.Rank == 4 && v.Rank == 4
        && k.Size(0) == q.Size(0) && v.Size(0) == q.Size(0) && k.Size(1) == q.Size(1) && v.Size(1) == q.Size(1)
        && k.Size(3) == q.Size(3) && v.Size(2) == k.Size(2);

    /// <summary>q <c>[B, h, N, d]</c>, k <c>[B, h, M, d]</c>, v <c>[B, h, M, e]</c> (views allowed) → <c>[B, N, h·e]</c>.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit (see <see cref="Fits"/>).</exception>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v)
    {
        if (!Fits(q, k, v))
            throw new ArgumentException($"Attention needs q [B, h, N, d], k [B, h, M, d], v [B, h, M, e]; got {Tensor.FormatShape(q.Shape)}, {Tensor.FormatShape(k.Shape)}, {Tensor.FormatShape(v.Shape)}.");
        q = UnitLastStride(q);
        k = UnitLastStride(k);
        v = UnitLastStride(v);
        int batch = q.Size(0), heads = q.Size(1), n = q.Size(2), d = q.Size(3), m = k.Size(2), e = v.Size(3);
        var y = Tensor.Empty(batch, n, heads * e);
        if (y.Numel == 0) return y;
        // The split depends on the shape alone, so every output row is computed the same way for any thread count.
        int rowBlock = batch * heads >= WholeHeadsFrom ? n : RowBlock;
        int blocks = (n + rowBlock - 1) / rowBlock;
        var body = new BlocksBody(new Operand(q), new Operand(k), new Operand(v), y.Elements, heads, n, d, m, e, rowBlock, blocks, MathF.Pow(d, -0.5f));
        ParallelRunner.For(batch * heads * blocks, 1, body);
        return y;
    }

    // GEMM reads each matrix through its row stride, but its rows must be runs.
    private static Tensor UnitLastStride(Tensor t) => t.Stride(-1) == 1 || t.Size(-1) == 1 ? t : t.Contiguous();

    /// <summary>A <c>[B, h, rows, cols]</c> view: its elements and the strides of its first three dimensions.</summary>
    private readonly struct Operand(Tensor t)
    {
        public readonly FloatSlice Data = t.StridedElements;
        public readonly int BatchStride = t.Stride(0), HeadStride = t.Stride(1), RowStride = Math.Max(t.Stride(2), t.Size(3));

        /// <summary>The elements from row <paramref name="row"/> of head <paramref name="head"/> of item <paramref name="item"/> on.</summary>
        public ReadOnlySpan<float> From(int item, int head, int row)
        {
            int at = item * BatchStride + head * HeadStride + row * RowStride;
            return Data.AsSpan(at, Data.Length - at);
        }
    }

    private readonly struct BlocksBody(Operand q, Operand k, Operand v, FloatSlice y, int heads, int n, int d, int m, int e, int rowBlock, int blocks, float scale)
        : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            var scores = BufferPool.Rent(rowBlock * Math.Max(m, 1));
            try
            {
                for (int unit = start; unit < end; unit++)
                {
                    int block = unit % blocks, pair = unit / blocks;
                    int item = pair / heads, head = pair % heads;
                    int row0 = block * rowBlock, rows = Math.Min(rowBlock, n - row0);
                    // scores = scale · q[rows] · kᵀ, softmax along each row, then · v into the head's columns of y.
                    Gemm.Managed.Sgemm(false, true, rows, m, d, scale, q.From(item, head, row0), q.RowStride, k.From(item, head, 0), k.RowStride,
                        0f, scores, m);
                    for (int r = 0; r < rows; r++)
                    {
                        var row = scores.AsSpan(r * m, m);
                        SoftmaxKernels.ForwardRow(false, row, row);
                    }
                    int width = heads * e, at = (item * n + row0) * width + head * e;
                    Gemm.Managed.Sgemm(false, false, rows, e, m, 1f, scores, m, v.From(item, head, 0), v.RowStride,
                        0f, y.AsSpan(at, y.Length - at), width);
                }
            }
            finally
            {
                BufferPool.Return(scores);
            }
        }
    }
}
