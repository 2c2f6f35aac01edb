using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>y = f(h)·Wᵀ + b</c> — an MLP's activation and second layer — as one recorded op, run over blocks of rows that stay in
/// L2: forward, a block's activation is written (kept for the weight gradient) and multiplied while still in cache;
/// backward, a block's <c>dA = dY·W</c> becomes <c>dH = dA ⊙ f'(h)</c> before it leaves the cache, so dA never reaches
/// memory. As two ops, PoolFormer-S12's first-stage MLPs wrote and read back their 16 MB hidden activation and its
/// gradient at memory speed. Every element goes through the operations of the two ops (<see cref="ActivationFunction"/>,
/// then <see cref="LinearFunction"/> on the managed GEMM), so it has their bits, for any thread count.
/// </summary>
internal sealed unsafe class ActivationLinearFunction : Function<ActivationLinearFunction, ActivationLinearFunction.State>
{
    internal readonly record struct State(Tensor H, Tensor A, Tensor W, Tensor? B, ActivationKind Kind);

    // Hidden floats of a block (512 KB): the block's h, f(h) and output stay in L2 between the activation and the product.
    private const int BlockFloats = 128 * 1024;

    // Rows per output column from which blocks pay: below, the weight is large against the activations (PoolFormer-S12's
    // third and fourth stages, DeiT-Tiny at 64×64), which stay in L3 anyway, and the blocks would stream all of it per block.
    private const int RowsPerOutput = 8;

    /// <summary>
    /// Whether the op applies: a pointwise activation, a contiguous-rows weight <c>[out, in]</c> (a view of a larger one
    /// allowed), the managed GEMM's SIMD kernel, and at least <see cref="RowsPerOutput"/> rows per output channel.
    /// </summary>
    public static bool Fits(Tensor h, Tensor w, ActivationKind kind)
    {
        if (!ActivationKernels.IsPointwise(kind) || w.Rank != 2 || h.Rank < 1 || h.Size(-1) != w.Size(1) || w.Size(1) == 0) return false;
        if (MatrixOperand.TryOf(w) is null || ManagedGemm.Instance.Kind == GemmKernelKind.Scalar) return false;
        return (long)h.Numel / w.Size(1) >= (long)RowsPerOutput * w.Size(0);
    }

    /// <summary><c>f(h)·Wᵀ + b</c>, recorded when an input needs a gradient.</summary>
    /// <exception cref="ArgumentException">The op does not fit (see <see cref="Fits"/>) or a shape is wrong.</exception>
    public static Tensor Apply(Tensor h, ActivationKind kind, Tensor w, Tensor? b)
    {
        LinearFunction.Validate(h, w, b);
        if (!Fits(h, w, kind)) throw new ArgumentException($"A fused activation and linear layer does not fit {Tensor.FormatShape(h.Shape)} and {Tensor.FormatShape(w.Shape)}.");
        h = h.Contiguous();
        if (b is not null) b = b.Contiguous();
        int outFeatures = w.Size(0), inFeatures = w.Size(1), rows = h.Numel / inFeatures;
        var weight = MatrixOperand.TryOf(w)!.Value;
        var a = Tensor.Empty(h.Shape);
        Span<int> shape = stackalloc int[h.Rank];
        h.Shape.CopyTo(shape);
        shape[^1] = outFeatures;
        var y = Tensor.Empty(shape);

        // op(B) = Wᵀ (in × out), packed once for every block.
        var gemm = ManagedGemm.Instance;
        float[] packed = BufferPool.Rent(checked((int)gemm.PackedBFloats(inFeatures, outFeatures)));
        try
        {
            fixed (float* pw = weight.Data.AsSpan(), pp = packed, pa = a.Elements.AsSpan(), py = y.Elements.AsSpan())
            {
                gemm.PackWholeB(!weight.Transposed, pw, weight.Ld, inFeatures, outFeatures, pp);
                var blocks = new Blocks(rows, inFeatures);
                ParallelRunner.For(blocks.Count, 1, new ForwardBody(blocks, kind, h.Elements, pa, pp, py, outFeatures, b is null ? default : b.Elements));
            }
        }
        finally
        {
            BufferPool.Return(packed);
        }
        if (Tape.Needs(h, w, b)) Record(new(h, a, w, b, kind), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (h, a, w, b, kind) = Saved;
        var gy = Dense(gradOutput);
        int outFeatures = w.Size(0), inFeatures = w.Size(1), rows = h.Numel / inFeatures;
        var weight = MatrixOperand.TryOf(w)!.Value;
        var dy = LinearFunction.Rows(gy, rows);
        // The weight's and the bias's gradients as the linear layer takes them.
        if (Tape.GradToWrite(w, out bool overwriteW) is { } gw)
            MatrixOperand.Multiply(dy.T, LinearFunction.Rows(a, rows), MatrixOperand.TryOf(gw)!.Value, 1f, overwriteW ? 0f : 1f);
        if (b is not null && Tape.GradOf(b) is { } gb) BinaryFunction.Accumulate(gy, gb);
        if (Tape.GradToWrite(h, out bool overwriteH) is not { } gh) return;

        // op(B) = W (out × in), packed once for every block.
        var gemm = ManagedGemm.Instance;
        float[] packed = BufferPool.Rent(checked((int)gemm.PackedBFloats(outFeatures, inFeatures)));
        try
        {
            fixed (float* pw = weight.Data.AsSpan(), pp = packed, pg = gy.Elements.AsSpan())
            {
                gemm.PackWholeB(weight.Transposed, pw, weight.Ld, outFeatures, inFeatures, pp);
                var saved = ActivationKernels.BackwardUsesOutput(kind) ? a : h;
                var blocks = new Blocks(rows, inFeatures);
                ParallelRunner.For(blocks.Count, 1, new BackwardBody(blocks, kind, saved.Elements, pg, pp, outFeatures, gh.Elements, !overwriteH));
            }
        }
        finally
        {
            BufferPool.Return(packed);
        }
    }

    /// <summary>
    /// Blocks of whole rows, a multiple of 64 rows each (so every block starts on one of the activation kernels' 64-element
    /// blocks and takes the same vector and scalar paths as the whole), at least two per thread, the last one shorter.
    /// </summary>
    private readonly struct Blocks
    {
        public readonly int RowsPerBlock, Rows, Count;

        public Blocks(int rows, int inFeatures)
        {
            int byCache = Math.Max(1, BlockFloats / inFeatures / 64);
            int bySharing = Math.Max(1, (rows + 2 * ParallelRunner.Threads * 64 - 1) / (2 * ParallelRunner.Threads * 64));
            RowsPerBlock = 64 * Math.Min(byCache, bySharing);
            Rows = rows;
            Count = (rows + RowsPerBlock - 1) / RowsPerBlock;
        }

        public (int First, int Count) this[int block] => (block * RowsPerBlock, Math.Min(RowsPerBlock, Rows - block * RowsPerBlock));
    }

    private readonly struct ForwardBody(Blocks blocks, ActivationKind kind, FloatSlice h, float* a, float* packedWt, float* y, int outFeatures,
        FloatSlice bias) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int inFeatures = h.Length / blocks.Rows;
            for (int block = start; block < end; block++)
            {
                var (first, count) = blocks[block];
                float* ab = a + (nint)first * inFeatures, yb = y + (nint)first * outFeatures;
                ActivationKernels.ForwardSpan(kind, h.AsSpan(first * inFeatures, count * inFeatures), new Span<float>(ab, count * inFeatures));
                ManagedGemm.Instance.MultiplyPackedB(count, outFeatures, inFeatures, ab, inFeatures, packedWt, 0f, yb, outFeatures);
                if (bias.Length > 0) BiasActivationKernel.ApplyRows(new Span<float>(yb, count * outFeatures), outFeatures, bias.AsSpan(), ActivationKind.None);
            }
        }
    }

    private readonly struct BackwardBody(Blocks blocks, ActivationKind kind, FloatSlice saved, float* dy, float* packedW, int outFeatures,
        FloatSlice dh, bool accumulate) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int inFeatures = dh.Length / blocks.Rows;
            float[] da = BufferPool.Rent(blocks.RowsPerBlock * inFeatures);
            try
            {
                fixed (float* pda = da)
                {
                    for (int block = start; block < end; block++)
                    {
                        var (first, count) = blocks[block];
                        int floats = count * inFeatures;
                        ManagedGemm.Instance.MultiplyPackedB(count, inFeatures, outFeatures, dy + (nint)first * outFeatures, outFeatures, packedW, 0f, pda, inFeatures);
                        ActivationKernels.BackwardSpan(kind, saved.AsSpan(first * inFeatures, floats), new ReadOnlySpan<float>(pda, floats),
                            dh.AsSpan(first * inFeatures, floats), accumulate);
                    }
                }
            }
            finally
            {
                BufferPool.Return(da);
            }
        }
    }
}
