using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// A transformer block's MLP, <c>y = f(x·W1ᵀ + b1)·W2ᵀ + b2</c>, as one recorded op run over blocks of rows that stay in
/// L2: forward, a block's hidden activation <c>h</c> and <c>f(h)</c> are written (both kept for the backward) and
/// multiplied on while still in cache; backward, a block's <c>dA = dY·W2</c> becomes <c>dH = dA ⊙ f'(h)</c> and then
/// <c>dX = dH·W1</c> before it leaves the cache, so dA never reaches memory and h and dH are not read back from it. As
/// three ops, PoolFormer-S12's first-stage MLPs wrote and re-read their 16 MB hidden activations and gradients at memory
/// speed. The weight gradients are the linear layers' products over all rows. Every element goes through the operations
/// of the separate ops (<see cref="LinearFunction"/> on the managed GEMM, <see cref="ActivationFunction"/>), so it has
/// their bits, for any thread count.
/// </summary>
internal sealed unsafe class MlpFunction : Function<MlpFunction, MlpFunction.State>
{
    internal readonly record struct State(Tensor X, Tensor H, Tensor A, Tensor W1, Tensor? B1, Tensor W2, Tensor? B2, ActivationKind Kind);

    // Hidden floats of a block (512 KB): the block's rows of x, h, f(h) and y stay in L2 between the products.
    private const int BlockFloats = 128 * 1024;

    // Rows per output channel from which blocks pay: below, the weights are large against the activations (PoolFormer-S12's
    // third and fourth stages, DeiT-Tiny at 64×64), which stay in L3 anyway, and every block would stream all of them
    // (PoolFormer-S12's third-stage MLP took 0.75× as long as the separate ops).
    private const int RowsPerOutput = 8;

    /// <summary>
    /// Whether the op applies: a pointwise activation, <paramref name="w1"/> <c>[hidden, in]</c> and <paramref name="w2"/>
    /// <c>[out, hidden]</c> with unit-stride rows or columns (views of larger weights allowed), the managed GEMM's SIMD
    /// kernel, and at least <see cref="RowsPerOutput"/> rows per output channel.
    /// </summary>
    public static bool Fits(Tensor x, Tensor w1, Tensor w2, ActivationKind kind)
    {
        if (!ActivationKernels.IsPointwise(kind) || w1.Rank != 2 || w2.Rank != 2 || x.Rank < 1) return false;
        if (x.Size(-1) != w1.Size(1) || w2.Size(1) != w1.Size(0) || w1.Size(1) == 0 || w1.Size(0) == 0) return false;
        if (MatrixOperand.TryOf(w1) is null || MatrixOperand.TryOf(w2) is null || ManagedGemm.Instance.Kind == GemmKernelKind.Scalar) return false;
        return (long)x.Numel / w1.Size(1) >= (long)RowsPerOutput * w2.Size(0);
    }

    /// <summary><c>f(x·W1ᵀ + b1)·W2ᵀ + b2</c>, recorded when an input needs a gradient.</summary>
    /// <exception cref="ArgumentException">The op does not fit (see <see cref="Fits"/>) or a bias has the wrong shape.</exception>
    public static Tensor Apply(Tensor x, Tensor w1, Tensor? b1, ActivationKind kind, Tensor w2, Tensor? b2)
    {
        if (!Fits(x, w1, w2, kind))
            throw new ArgumentException($"A fused MLP does not fit {Tensor.FormatShape(x.Shape)}, {Tensor.FormatShape(w1.Shape)} and {Tensor.FormatShape(w2.Shape)}.");
        LinearFunction.Validate(x, w1, b1);
        int inFeatures = w1.Size(1), hidden = w1.Size(0), outFeatures = w2.Size(0), rows = x.Numel / inFeatures;
        if (b2 is not null && (b2.Rank != 1 || b2.Size(0) != outFeatures))
            throw new ArgumentException($"Linear bias must be [{outFeatures}]; got {Tensor.FormatShape(b2.Shape)}.");
        x = x.Contiguous();
        b1 = b1?.Contiguous();
        b2 = b2?.Contiguous();
        // h and f(h) of x's leading shape, as the separate ops make them (a bias gradient sums over that shape).
        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[^1] = hidden;
        var h = Tensor.Empty(shape);
        var a = Tensor.Empty(shape);
        shape[^1] = outFeatures;
        var y = Tensor.Empty(shape);

        // op(B) = W1ᵀ and W2ᵀ, each packed once for every block.
        using (var w1t = new PackedWeight(w1, transposed: true))
        using (var w2t = new PackedWeight(w2, transposed: true))
        {
            var layout = new Layout(rows, inFeatures, hidden, outFeatures);
            fixed (float* px = x.Elements.AsSpan(), ph = h.Elements.AsSpan(), pa = a.Elements.AsSpan(), py = y.Elements.AsSpan())
            {
                ParallelRunner.For(layout.Blocks, 1, new ForwardBody(layout, kind, px, w1t.Panels, b1 is null ? default : b1.Elements,
                    ph, pa, w2t.Panels, b2 is null ? default : b2.Elements, py));
            }
        }
        if (Tape.Needs(x, w1, b1) || Tape.Needs(w2, b2)) Record(new(x, h, a, w1, b1, w2, b2, kind), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, h, a, w1, b1, w2, b2, kind) = Saved;
        var gy = Dense(gradOutput);
        int inFeatures = w1.Size(1), hidden = w1.Size(0), outFeatures = w2.Size(0), rows = h.Numel / hidden;
        var dy = LinearFunction.Rows(gy, rows);
        // The second layer's weight and bias gradients as the linear layer takes them.
        if (Tape.GradToWrite(w2, out bool overwriteW2) is { } gw2)
            MatrixOperand.Multiply(dy.T, LinearFunction.Rows(a, rows), MatrixOperand.TryOf(gw2)!.Value, 1f, overwriteW2 ? 0f : 1f);
        if (b2 is not null && Tape.GradOf(b2) is { } gb2) BinaryFunction.Accumulate(gy, gb2);
        bool firstLayer = x.RequiresGrad || w1.RequiresGrad || (b1 is not null && b1.RequiresGrad);
        if (!firstLayer) return;

        // dH, block by block with dX; then the first layer's weight and bias gradients over all of it.
        var dh = Tensor.Empty(h.Shape);
        var gx = Tape.GradToWrite(x, out bool overwriteX);
        using (var w2p = new PackedWeight(w2, transposed: false))
        using (var w1p = new PackedWeight(w1, transposed: false))
        {
            var layout = new Layout(rows, inFeatures, hidden, outFeatures);
            var saved = ActivationKernels.BackwardUsesOutput(kind) ? a : h;
            fixed (float* pg = gy.Elements.AsSpan(), pdh = dh.Elements.AsSpan(), pgx = gx is null ? default : gx.Elements.AsSpan())
            {
                ParallelRunner.For(layout.Blocks, 1, new BackwardBody(layout, kind, pg, w2p.Panels, saved.Elements, pdh, w1p.Panels,
                    gx is null ? null : pgx, overwriteX ? 0f : 1f));
            }
        }
        if (Tape.GradToWrite(w1, out bool overwriteW1) is { } gw1)
            MatrixOperand.Multiply(LinearFunction.Rows(dh, rows).T, LinearFunction.Rows(x, rows), MatrixOperand.TryOf(gw1)!.Value, 1f, overwriteW1 ? 0f : 1f);
        if (b1 is not null && Tape.GradOf(b1) is { } gb1) BinaryFunction.Accumulate(dh, gb1);
    }

    /// <summary>
    /// A weight <c>[out, in]</c> packed whole for <see cref="ManagedGemm.MultiplyPackedB"/>, pinned for the call: as
    /// <c>Wᵀ</c> (in × out, a forward product's B) or as <c>W</c> (out × in, an input gradient's B).
    /// </summary>
    private readonly struct PackedWeight : IDisposable
    {
        private readonly float[] _buffer;
        private readonly System.Runtime.InteropServices.GCHandle _pin;
        public readonly float* Panels;

        public PackedWeight(Tensor w, bool transposed)
        {
            var weight = MatrixOperand.TryOf(w)!.Value;
            var b = transposed ? weight.T : weight;
            _buffer = BufferPool.Rent(checked((int)ManagedGemm.Instance.PackedBFloats(b)));
            _pin = System.Runtime.InteropServices.GCHandle.Alloc(_buffer, System.Runtime.InteropServices.GCHandleType.Pinned);
            Panels = (float*)_pin.AddrOfPinnedObject();
            ManagedGemm.Instance.PackWholeB(b, Panels);
        }

        public void Dispose()
        {
            _pin.Free();
            BufferPool.Return(_buffer);
        }
    }

    /// <summary>
    /// The widths and the blocks of rows: a multiple of 64 rows each (so every block starts on one of the activation
    /// kernels' 64-element blocks and takes the same vector and scalar paths as the whole), at least two per thread, the
    /// last one shorter.
    /// </summary>
    private readonly struct Layout
    {
        public readonly int Rows, In, Hidden, Out, RowsPerBlock, Blocks;

        public Layout(int rows, int inFeatures, int hidden, int outFeatures)
        {
            (Rows, In, Hidden, Out) = (rows, inFeatures, hidden, outFeatures);
            int byCache = Math.Max(1, BlockFloats / hidden / 64);
            int bySharing = Math.Max(1, (rows + 2 * ParallelRunner.Threads * 64 - 1) / (2 * ParallelRunner.Threads * 64));
            RowsPerBlock = 64 * Math.Min(byCache, bySharing);
            Blocks = (rows + RowsPerBlock - 1) / RowsPerBlock;
        }

        public (int First, int Count) this[int block] => (block * RowsPerBlock, Math.Min(RowsPerBlock, Rows - block * RowsPerBlock));
    }

    private readonly struct ForwardBody(Layout layout, ActivationKind kind, float* x, float* w1t, FloatSlice b1, float* h, float* a,
        float* w2t, FloatSlice b2, float* y) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            var gemm = ManagedGemm.Instance;
            int inFeatures = layout.In, hidden = layout.Hidden, outFeatures = layout.Out;
            for (int block = start; block < end; block++)
            {
                var (first, count) = layout[block];
                float* hb = h + (nint)first * hidden, ab = a + (nint)first * hidden, yb = y + (nint)first * outFeatures;
                gemm.MultiplyPackedB(count, hidden, inFeatures, x + (nint)first * inFeatures, inFeatures, w1t, 0f, hb, hidden);
                if (b1.Length > 0) BiasActivationKernel.ApplyRows(new Span<float>(hb, count * hidden), hidden, b1.AsSpan(), ActivationKind.None);
                ActivationKernels.ForwardSpan(kind, new ReadOnlySpan<float>(hb, count * hidden), new Span<float>(ab, count * hidden));
                gemm.MultiplyPackedB(count, outFeatures, hidden, ab, hidden, w2t, 0f, yb, outFeatures);
                if (b2.Length > 0) BiasActivationKernel.ApplyRows(new Span<float>(yb, count * outFeatures), outFeatures, b2.AsSpan(), ActivationKind.None);
            }
        }
    }

    private readonly struct BackwardBody(Layout layout, ActivationKind kind, float* dy, float* w2, FloatSlice saved, float* dh, float* w1,
        float* dx, float dxBeta) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            var gemm = ManagedGemm.Instance;
            int inFeatures = layout.In, hidden = layout.Hidden, outFeatures = layout.Out;
            float[] da = BufferPool.Rent(layout.RowsPerBlock * hidden);
            try
            {
                fixed (float* pda = da)
                {
                    for (int block = start; block < end; block++)
                    {
                        var (first, count) = layout[block];
                        int floats = count * hidden;
                        float* dhb = dh + (nint)first * hidden;
                        gemm.MultiplyPackedB(count, hidden, outFeatures, dy + (nint)first * outFeatures, outFeatures, w2, 0f, pda, hidden);
                        ActivationKernels.BackwardSpan(kind, saved.AsSpan(first * hidden, floats), new ReadOnlySpan<float>(pda, floats),
                            new Span<float>(dhb, floats), accumulate: false);
                        if (dx != null) gemm.MultiplyPackedB(count, inFeatures, hidden, dhb, hidden, w1, dxBeta, dx + (nint)first * inFeatures, inFeatures);
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
