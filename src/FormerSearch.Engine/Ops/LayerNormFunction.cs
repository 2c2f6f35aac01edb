using System.Numerics.Tensors;
using FormerSearch.Engine.Kernels.Norms;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Layer normalisation over the last axis, as <c>torch.nn.functional.layer_norm(x, [C], w, b, eps)</c>:
/// <c>y = (x − mean)/sqrt(var + eps)·w + b</c> with the biased variance of each row. On channels-last
/// feature maps <c>[B, H, W, C]</c> this is timm's LayerNorm2d ("channel LN"); on tokens <c>[B, N, C]</c>
/// nn.LayerNorm. The weight and bias may be prefix views of larger vectors (supernet slices).
/// </summary>
internal sealed class LayerNormFunction : NormFunction<LayerNormFunction>
{
    public static Tensor Apply(Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        if (x.Rank < 1) throw new ArgumentException("LayerNorm needs an input with at least one dimension; got a scalar.");
        int c = x.Size(-1);
        (x, var w, var b) = Operands("LayerNorm", x, weight, bias, c);
        int rows = c == 0 ? 0 : x.Numel / c;
        var y = Tensor.Empty(x.Shape);
        var mean = Tensor.Empty(rows);
        var rstd = Tensor.Empty(rows);
        ParallelRunner.For(rows, Math.Max(1, 16384 / Math.Max(c, 1)), new ForwardBody
        {
            X = x.Elements, Y = y.Elements, W = w.Elements, B = b.Elements, Mean = mean.Elements, Rstd = rstd.Elements, C = c, Eps = eps,
        });

        RecordIfNeeded(new(x, w, b, mean, rstd), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, w, _, mean, rstd, _) = Saved;
        var (gx, gw, gb, overwrite) = Gradients();
        var gy = Dense(gradOutput);
        int c = x.Size(-1);
        int rows = c == 0 ? 0 : x.Numel / c;
        bool affine = gw is not null || gb is not null;
        int width = affine ? 2 * c : 0;
        float[] sums = BufferPool.Rent(width);
        try
        {
            var result = sums.AsSpan(0, width);
            var inputs = new NormBackwardInputs(x.Elements, gy.Elements, mean.Elements, rstd.Elements, c, RowsPerStat: 1);
            ChunkedReduction.Run(rows, new BackwardReducer(inputs, w.Elements, gx?.Elements, !overwrite, affine), result);
            if (gw is not null) TensorPrimitives.Add(gw.AsSpan(), result[..c], gw.AsSpan());
            if (gb is not null) TensorPrimitives.Add(gb.AsSpan(), result[c..], gb.AsSpan());
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }

    private struct ForwardBody : IRangeBody
    {
        public FloatSlice X, Y, W, B, Mean, Rstd;
        public int C;
        public float Eps;

        public readonly void Invoke(int start, int end)
        {
            var w = W.AsSpan(0, C);
            var b = B.AsSpan(0, C);
            for (int r = start; r < end; r++)
            {
                var x = X.Row(r, C);
                NormRows.Moments(x, Eps, out float mean, out float rstd);
                Mean[r] = mean;
                Rstd[r] = rstd;
                NormRows.Normalize(x, mean, rstd, w, b, Y.Row(r, C));
            }
        }
    }

    /// <summary>Per row: the input gradient (written directly) and the rows' contributions to dw and db.</summary>
    private readonly struct BackwardReducer(NormBackwardInputs inputs, FloatSlice w, FloatSlice? gx, bool accumulate, bool affine) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            int c = inputs.C;
            if (gx is { } dx)
            {
                var weight = w.AsSpan(0, c);
                for (int row = first; row < last; row++)
                {
                    var x = inputs.X.Row(row, c);
                    var dy = inputs.Dy.Row(row, c);
                    float mean = inputs.Mean[row], rstd = inputs.Rstd[row];
                    NormRows.GradSums(x, dy, weight, mean, out float s1, out float s2);
                    // dx = rstd·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)), with x̂ = (x − mean)·rstd.
                    NormRows.AddInputGrad(x, dy, weight, mean, rstd, rstd * s1 / c, rstd * rstd * rstd * s2 / c, dx.Row(row, c), accumulate);
                }
            }
            // The chunk's rows are still in cache: sum dw and db over them with the columns in registers.
            if (affine) NormColumns.AddAffineGrads(inputs, first, last, partial[..c], partial[c..]);
        }
    }
}
