using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Norms;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// GroupNorm with one group (PoolFormer's norm), exactly <c>nn.GroupNorm(1, C)</c> on channels-last
/// data: the mean and biased variance of each sample are taken over all of its positions and channels
/// (<c>[B, H, W, C]</c> or <c>[B, N, C]</c>), then a per-channel affine is applied.
/// Sums run over fixed chunks of rows in a fixed order, so results do not depend on the thread count.
/// </summary>
internal sealed class GroupNorm1Function : NormFunction<GroupNorm1Function>
{

    public static Tensor Apply(Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        if (x.Rank < 2) throw new ArgumentException($"GroupNorm1 needs a [B, ..., C] input; got {Tensor.FormatShape(x.Shape)}.");
        int batch = x.Size(0), c = x.Size(-1);
        NormChecks.Affine("GroupNorm1", x, weight, bias, c);
        x = x.Contiguous();
        var w = weight?.Contiguous() ?? Tensor.Full(1f, c);
        var b = bias?.Contiguous() ?? Tensor.Zeros(c);
        int positions = batch * c == 0 ? 0 : x.Numel / (batch * c);
        long count = (long)positions * c;
        var y = Tensor.Empty(x.Shape);
        var mean = Tensor.Empty(batch);
        var rstd = Tensor.Empty(batch);
        if (count > 0)
        {
            // Two passes over all samples at once (one dispatch each): the means, then Σ (x − mean)².
            var m = mean.AsSpan();
            var r = rstd.AsSpan();
            ChunkedReduction.RunSegmented(batch, positions, 1, new RowTotal(x.Data, x.Offset, c, positions, null, 0), m);
            for (int n = 0; n < batch; n++) m[n] = (float)(m[n] / (double)count);
            ChunkedReduction.RunSegmented(batch, positions, 1, new RowTotal(x.Data, x.Offset, c, positions, mean.Data, mean.Offset), r);
            for (int n = 0; n < batch; n++) r[n] = 1f / MathF.Sqrt((float)(r[n] / (double)count) + eps);
        }
        ParallelRunner.For(batch * positions, Math.Max(1, 16384 / Math.Max(c, 1)), new ForwardBody
        {
            X = x.Data, XOffset = x.Offset, Y = y.Data, YOffset = y.Offset, W = w.Data, WOffset = w.Offset, B = b.Data, BOffset = b.Offset,
            Mean = mean.Data, MeanOffset = mean.Offset, Rstd = rstd.Data, RstdOffset = rstd.Offset, C = c, Positions = positions,
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
        int batch = _x.Size(0), c = _x.Size(-1);
        int positions = batch * c == 0 ? 0 : _x.Numel / (batch * c);
        float count = (float)((long)positions * c);
        if (positions == 0) return;
        // Per sample: Σ dy·x̂ and Σ dy per channel (they give dw and db, and the two sums dx needs).
        float[] sums = BufferPool.Rent(batch * 2 * c + 2 * batch);
        try
        {
            var w = _w.AsSpan();
            var coef = sums.AsSpan(batch * 2 * c, 2 * batch);
            ChunkedReduction.RunSegmented(batch, positions, 2 * c,
                new AffineReducer(_x.Data, _x.Offset, gy.Data, gy.Offset, c, positions, _mean.Data, _mean.Offset, _rstd.Data, _rstd.Offset), sums);
            for (int n = 0; n < batch; n++)
            {
                var s = sums.AsSpan(n * 2 * c, 2 * c);
                float r = _rstd[n];
                // c0 = rstd·mean(dy·w), c1 = rstd²·mean(dy·w·x̂).
                coef[2 * n] = r * TensorPrimitives.Dot(w, s[c..]) / count;
                coef[2 * n + 1] = r * r * TensorPrimitives.Dot(w, s[..c]) / count;
                if (gw is not null) TensorPrimitives.Add(gw.AsSpan(), s[..c], gw.AsSpan());
                if (gb is not null) TensorPrimitives.Add(gb.AsSpan(), s[c..], gb.AsSpan());
            }
            if (gx is not null)
            {
                ParallelRunner.For(batch * positions, Math.Max(1, 16384 / Math.Max(c, 1)), new InputGradBody
                {
                    X = _x.Data, XOffset = _x.Offset, Gy = gy.Data, GyOffset = gy.Offset, Gx = gx.Data, GxOffset = gx.Offset,
                    W = _w.Data, WOffset = _w.Offset, Mean = _mean.Data, MeanOffset = _mean.Offset, Rstd = _rstd.Data, RstdOffset = _rstd.Offset,
                    Coef = sums, CoefOffset = batch * 2 * c, C = c, Positions = positions,
                });
            }
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }

    /// <summary>
    /// Σ x over rows, or Σ (x − mean of their sample)² when the means are given (the variance pass). A chunk
    /// never straddles two samples, and its rows are contiguous, so it is summed as one run.
    /// </summary>
    private readonly struct RowTotal(float[] x, int offset, int c, int positions, float[]? mean, int meanOffset) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            var span = x.AsSpan(offset + first * c, (last - first) * c);
            partial[0] += mean is null ? TensorPrimitives.Sum(span) : NormRows.SumSquaredDeviations(span, mean[meanOffset + first / positions]);
        }
    }

    private readonly struct AffineReducer(float[] x, int xOffset, float[] gy, int gyOffset, int c, int positions,
        float[] mean, int meanOffset, float[] rstd, int rstdOffset) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial) =>
            ColumnSums.AddAffineGrads(x, xOffset, gy, gyOffset, c, first, last, mean, meanOffset, rstd, rstdOffset, positions, partial[..c], partial[c..]);
    }

    private struct ForwardBody : IRangeBody
    {
        public float[] X, Y, W, B, Mean, Rstd;
        public int XOffset, YOffset, WOffset, BOffset, MeanOffset, RstdOffset, C, Positions;

        public readonly void Invoke(int start, int end)
        {
            var w = W.AsSpan(WOffset, C);
            var b = B.AsSpan(BOffset, C);
            for (int r = start; r < end; r++)
            {
                int n = r / Positions;
                NormRows.Normalize(X.AsSpan(XOffset + r * C, C), Mean[MeanOffset + n], Rstd[RstdOffset + n], w, b, Y.AsSpan(YOffset + r * C, C));
            }
        }
    }

    private struct InputGradBody : IRangeBody
    {
        public float[] X, Gy, Gx, W, Mean, Rstd, Coef;
        public int XOffset, GyOffset, GxOffset, WOffset, MeanOffset, RstdOffset, CoefOffset, C, Positions;

        public readonly void Invoke(int start, int end)
        {
            var w = W.AsSpan(WOffset, C);
            for (int r = start; r < end; r++)
            {
                int n = r / Positions;
                NormRows.AddInputGrad(X.AsSpan(XOffset + r * C, C), Gy.AsSpan(GyOffset + r * C, C), w, Mean[MeanOffset + n], Rstd[RstdOffset + n],
                    Coef[CoefOffset + 2 * n], Coef[CoefOffset + 2 * n + 1], Gx.AsSpan(GxOffset + r * C, C));
            }
        }
    }
}
