using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
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
        NormChecks.Affine("LayerNorm", x, weight, bias, c);
        x = x.Contiguous();
        var w = weight?.Contiguous() ?? Tensor.Full(1f, c);
        var b = bias?.Contiguous() ?? Tensor.Zeros(c);
        int rows = c == 0 ? 0 : x.Numel / c;
        var y = Tensor.Empty(x.Shape);
        var mean = Tensor.Empty(rows);
        var rstd = Tensor.Empty(rows);
        ParallelRunner.For(rows, Math.Max(1, 16384 / Math.Max(c, 1)), new ForwardBody
        {
            X = x.Data, XOffset = x.Offset, Y = y.Data, YOffset = y.Offset, W = w.Data, WOffset = w.Offset, B = b.Data, BOffset = b.Offset,
            Mean = mean.Data, MeanOffset = mean.Offset, Rstd = rstd.Data, RstdOffset = rstd.Offset, C = c, Eps = eps,
        });

        Record(x, w, b, mean, rstd, y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var gy = gradOutput.IsContiguous ? gradOutput : gradOutput.Clone();
        var gx = Tape.GradOf(_x);
        var gw = Tape.GradOf(_w);
        var gb = Tape.GradOf(_b);
        int c = _x.Size(-1);
        int rows = c == 0 ? 0 : _x.Numel / c;
        bool affine = gw is not null || gb is not null;
        int width = affine ? 2 * c : 0;
        float[] sums = BufferPool.Rent(width);
        try
        {
            var result = sums.AsSpan(0, width);
            ChunkedReduction.Run(rows, new BackwardReducer(_x, gy, _w, _mean, _rstd, gx, affine), result);
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
        public float[] X, Y, W, B, Mean, Rstd;
        public int XOffset, YOffset, WOffset, BOffset, MeanOffset, RstdOffset, C;
        public float Eps;

        public readonly void Invoke(int start, int end)
        {
            var w = W.AsSpan(WOffset, C);
            var b = B.AsSpan(BOffset, C);
            for (int r = start; r < end; r++)
            {
                var x = X.AsSpan(XOffset + r * C, C);
                NormRows.Moments(x, Eps, out float mean, out float rstd);
                Mean[MeanOffset + r] = mean;
                Rstd[RstdOffset + r] = rstd;
                NormRows.Normalize(x, mean, rstd, w, b, Y.AsSpan(YOffset + r * C, C));
            }
        }
    }

    /// <summary>Per row: the input gradient (written directly) and the rows' contributions to dw and db.</summary>
    private readonly struct BackwardReducer : IRowReducer
    {
        private readonly float[] _x, _gy, _w, _mean, _rstd;
        private readonly float[]? _gx;
        private readonly int _xOffset, _gyOffset, _wOffset, _meanOffset, _rstdOffset, _gxOffset, _c;
        private readonly bool _affine;

        public BackwardReducer(Tensor x, Tensor gy, Tensor w, Tensor mean, Tensor rstd, Tensor? gx, bool affine)
        {
            (_x, _xOffset) = (x.Data, x.Offset);
            (_gy, _gyOffset) = (gy.Data, gy.Offset);
            (_w, _wOffset) = (w.Data, w.Offset);
            (_mean, _meanOffset) = (mean.Data, mean.Offset);
            (_rstd, _rstdOffset) = (rstd.Data, rstd.Offset);
            (_gx, _gxOffset) = (gx?.Data, gx?.Offset ?? 0);
            _c = x.Size(-1);
            _affine = affine;
        }

        public void AddRows(int first, int last, Span<float> partial)
        {
            int c = _c;
            if (_gx is not null)
            {
                var w = _w.AsSpan(_wOffset, c);
                for (int row = first; row < last; row++)
                {
                    var x = _x.AsSpan(_xOffset + row * c, c);
                    var dy = _gy.AsSpan(_gyOffset + row * c, c);
                    float mean = _mean[_meanOffset + row], rstd = _rstd[_rstdOffset + row];
                    NormRows.GradSums(x, dy, w, mean, out float s1, out float s2);
                    // dx = rstd·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)), with x̂ = (x − mean)·rstd.
                    NormRows.AddInputGrad(x, dy, w, mean, rstd, rstd * s1 / c, rstd * rstd * rstd * s2 / c, _gx.AsSpan(_gxOffset + row * c, c));
                }
            }
            // The chunk's rows are still in cache: sum dw and db over them with the columns in registers.
            if (_affine)
                ColumnSums.AddAffineGrads(_x, _xOffset, _gy, _gyOffset, c, first, last, _mean, _meanOffset, _rstd, _rstdOffset, 1, partial[..c], partial[c..]);
        }
    }
}
