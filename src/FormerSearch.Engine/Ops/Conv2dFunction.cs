using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// 2-D convolution on channels-last input <c>[B, H, W, Cin]</c> with an OHWI weight
/// <c>[Cout, Kh, Kw, Cin/groups]</c> (PyTorch's <c>[Cout, Cin/groups, Kh, Kw]</c> permuted), zero padding,
/// any stride and groups; output <c>[B, Ho, Wo, Cout]</c>. Computed as im2col (a pooled buffer) and one
/// GEMM per group over all <c>B·Ho·Wo</c> output pixels, or, for one group and a small weight, tile by tile
/// (<see cref="TiledConv"/>); a 1×1 stride-1 convolution skips im2col (the
/// input already is the column matrix), and a depthwise one (<c>groups = Cin = Cout</c>) uses the direct
/// <see cref="DepthwiseConv2dFunction"/> kernel. The weight may be a view whose rows (output channels)
/// are a prefix of a larger weight: GEMM takes its row stride as the leading dimension.
/// </summary>
internal sealed class Conv2dFunction : Function<Conv2dFunction, Conv2dFunction.State>
{
    internal readonly record struct State(Tensor X, Tensor W, Tensor? B, ConvShape Shape, int Groups);

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW, int groups)
    {
        if (x.Rank != 4) throw new ArgumentException($"Conv2d needs a [B, H, W, C] input; got {Tensor.FormatShape(x.Shape)}.");
        if (weight.Rank != 4) throw new ArgumentException($"Conv2d weight must be [out, kh, kw, in/groups] (OHWI); got {Tensor.FormatShape(weight.Shape)}.");
        int cin = x.Size(3), cout = weight.Size(0);
        if (groups < 1 || cin % groups != 0 || cout % groups != 0)
            throw new ArgumentException($"Conv2d groups {groups} must divide both the input channels {cin} and the output channels {cout}.");
        if (weight.Size(3) * groups != cin)
            throw new ArgumentException($"Conv2d weight {Tensor.FormatShape(weight.Shape)} with groups {groups} expects {weight.Size(3) * groups} input channels; input {Tensor.FormatShape(x.Shape)} has {cin}.");
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"Conv2d bias must be [{cout}]; got {Tensor.FormatShape(bias.Shape)}.");
        var s = new ConvShape(x.Size(0), x.Size(1), x.Size(2), cin, weight.Size(1), weight.Size(2), strideH, strideW, padH, padW);
        s.Validate("Conv2d");
        if (groups == cin && cout == cin && groups > 1)
            return DepthwiseConv2dFunction.Apply(x, weight.Select(3, 0), bias, strideH, strideW, padH, padW);

        x = x.Contiguous();
        if (RowStride(weight) < 0) weight = weight.Contiguous();
        if (bias is not null) bias = bias.Contiguous();
        var y = Tensor.Empty(s.B, s.Ho, s.Wo, cout);
        int m = s.OutputPixels;
        if (bias is not null)
        {
            var bs = bias.AsSpan();
            var ys = y.AsSpan();
            for (int r = 0; r < m; r++) bs.CopyTo(ys.Slice(r * cout, cout));
        }
        bool record = Tape.Needs(x, weight, bias);
        if (m > 0 && cout > 0 && IsTiled(s, cout, groups, withGradient: record))
            TiledConv.Forward(x.Elements, s, weight.StridedElements, RowStride(weight), cout, bias is null ? 0f : 1f, y.Elements);
        else if (m > 0 && cout > 0)
        {
            var col = Columns(x, s, groups, out int lda, out int groupStride, out float[]? rented);
            try
            {
                int og = cout / groups, kg = s.Kh * s.Kw * (cin / groups), ld = RowStride(weight);
                FloatSlice w = weight.StridedElements, ys = y.Elements;
                if (!record && groups == 1 && m <= RowDotGemm.MaxRows)
                {
                    // A few output pixels without gradient (the last downsampling convolutions at batch 1): dot products of
                    // column rows with the weight's OHWI rows, instead of packing the whole transposed weight for them.
                    // The dot products overwrite the bias copied in above: it is added again, row by row.
                    RowDotGemm.Multiply(m, cout, kg, col, lda, w, ld, ys, cout);
                    BiasActivationKernel.Apply(ys, m, cout, bias is null ? default : bias.Elements, ActivationKind.None);
                }
                // Without gradient inside a ConstantWeights scope, one group multiplies the weight packed once per scope.
                else if (record || groups > 1 || !MultiplyPrepacked(col, lda, m, weight, kg, ld, bias is null ? 0f : 1f, ys, cout))
                {
                    for (int g = 0; g < groups; g++)
                        Gemm.Sgemm(false, true, m, og, kg, 1f, col.Slice(g * groupStride), lda, w.Slice(g * og * ld), ld, bias is null ? 0f : 1f, ys.Slice(g * og), cout);
                }
            }
            finally
            {
                if (rented is not null) BufferPool.Return(rented);
            }
        }

        if (record) Record(new(x, weight, bias, s, groups), y);
        return y;
    }

    /// <summary>
    /// <c>y = col · Wᵀ + beta · y</c> against the weight <c>[cout, kg]</c> (rows <paramref name="ld"/> apart) packed once per
    /// <see cref="ConstantWeights"/> scope; false, having done nothing, outside a scope or when the weight is not cached.
    /// </summary>
    private static unsafe bool MultiplyPrepacked(FloatSlice col, int lda, int m, Tensor weight, int kg, int ld, float beta, FloatSlice y, int cout)
    {
        var gemm = Gemm.Managed;
        float* packed = ConstantWeights.PackedTranspose(weight, new MatrixOperand(weight.StridedElements, cout, kg, ld, false), gemm);
        if (packed == null) return false;
        fixed (float* a = col.AsSpan(), c = y.AsSpan())
            gemm.MultiplyPackedB(m, cout, kg, a, lda, packed, beta, c, cout);
        return true;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, weight, bias, s, groups) = Saved;
        var gy = Dense(gradOutput);
        int cout = weight.Size(0), cin = s.C, m = s.OutputPixels;
        int og = cout / groups, cg = cin / groups, kg = s.Kh * s.Kw * cg;
        if (m == 0 || cout == 0) return;
        var gys = gy.Elements;

        if (bias is not null && Tape.GradOf(bias) is { } gb) ChunkedReduction.AddInto(m, new RowSum(gys, cout), gb.AsSpan());

        int ld = RowStride(weight);
        var w = weight.StridedElements;
        if (IsTiled(s, cout, groups))
        {
            var gxTiled = Tape.GradOf(x);
            var gwTiled = Tape.GradOf(weight);
            if (gxTiled is null && gwTiled is null) return;
            TiledConv.Backward(x.Elements, s, w, ld, cout, gys, gxTiled?.Elements, gwTiled?.StridedElements, gwTiled is null ? 0 : RowStride(gwTiled));
            return;
        }
        if (Tape.GradOf(x) is { } gx)
        {
            if (IsPointwise(s))
            {
                // dX = dY·W straight into the input gradient (it is the column matrix).
                var gxs = gx.Elements;
                for (int g = 0; g < groups; g++)
                    Gemm.Sgemm(false, false, m, cg, og, 1f, gys.Slice(g * og), cout, w.Slice(g * og * ld), ld, 1f, gxs.Slice(g * cg), cin);
            }
            else
            {
                int k = groups * kg;
                float[] dcol = BufferPool.Rent(m * k);
                try
                {
                    for (int g = 0; g < groups; g++)
                        Gemm.Sgemm(false, false, m, kg, og, 1f, gys.Slice(g * og), cout, w.Slice(g * og * ld), ld, 0f, dcol.AsSpan(g * kg, m * k - g * kg), k);
                    Im2Col.ScatterAdd(new FloatSlice(dcol, 0, m * k), s, groups, gx.Elements);
                }
                finally
                {
                    BufferPool.Return(dcol);
                }
            }
        }

        if (Tape.GradOf(weight) is { } gw)
        {
            int ldw = RowStride(gw);
            var col = Columns(x, s, groups, out int lda, out int groupStride, out float[]? rented);
            var gws = gw.StridedElements;
            try
            {
                // dW_g += dY_gᵀ · col_g, into the weight's (possibly prefix-view) gradient.
                for (int g = 0; g < groups; g++)
                    Gemm.Sgemm(true, false, og, kg, m, 1f, gys.Slice(g * og), cout, col.Slice(g * groupStride), lda, 1f, gws.Slice(g * og * ldw), ldw);
            }
            finally
            {
                if (rented is not null) BufferPool.Return(rented);
            }
        }
    }

    // A one-group convolution with a small weight and a column matrix larger than the cache runs tile by tile.
    private static bool IsTiled(in ConvShape s, int cout, int groups, bool withGradient = true) =>
        groups == 1 && !IsPointwise(s) && TiledConv.Suits(s, cout, withGradient);

    private static bool IsPointwise(in ConvShape s) => s.Kh == 1 && s.Kw == 1 && s.Sh == 1 && s.Sw == 1 && s.Ph == 0 && s.Pw == 0;

    /// <summary>
    /// The column matrix: the input itself for a 1×1 stride-1 convolution, else an im2col buffer rented from the
    /// pool (also returned through <paramref name="rented"/> to give back).
    /// </summary>
    private static FloatSlice Columns(Tensor x, in ConvShape s, int groups, out int lda, out int groupStride, out float[]? rented)
    {
        int cg = s.C / groups;
        if (IsPointwise(s))
        {
            lda = s.C;
            groupStride = cg;
            rented = null;
            return x.Elements;
        }
        int kg = s.Kh * s.Kw * cg;
        lda = groups * kg;
        groupStride = kg;
        rented = BufferPool.Rent(s.OutputPixels * lda);
        var col = new FloatSlice(rented, 0, s.OutputPixels * lda);
        Im2Col.Gather(x.Elements, s, groups, col);
        return col;
    }

    /// <summary>
    /// The distance between output-channel rows when each row <c>[Kh, Kw, Cin/groups]</c> is dense
    /// (a contiguous weight, or one narrowed along dimension 0), else -1.
    /// </summary>
    private static int RowStride(Tensor w)
    {
        int kh = w.Size(1), kw = w.Size(2), ci = w.Size(3);
        if (ci != 1 && w.Stride(3) != 1) return -1;
        if (kw != 1 && w.Stride(2) != ci) return -1;
        if (kh != 1 && w.Stride(1) != kw * ci) return -1;
        int row = kh * kw * ci;
        return w.Size(0) == 1 ? Math.Max(row, 1) : (w.Stride(0) >= row ? w.Stride(0) : -1);
    }
}
