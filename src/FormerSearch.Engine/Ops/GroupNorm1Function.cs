using System.Numerics.Tensors;
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
        (x, var w, var b) = Operands("GroupNorm1", x, weight, bias, c);
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
            ChunkedReduction.RunSegmented(batch, positions, 1, new RowTotal(x.Elements, c, positions, null), m);
            for (int n = 0; n < batch; n++) m[n] = (float)(m[n] / (double)count);
            ChunkedReduction.RunSegmented(batch, positions, 1, new RowTotal(x.Elements, c, positions, mean.Elements), r);
            for (int n = 0; n < batch; n++) r[n] = 1f / MathF.Sqrt((float)(r[n] / (double)count) + eps);
        }
        ParallelRunner.For(batch * positions, Math.Max(1, 16384 / Math.Max(c, 1)), new ForwardBody
        {
            X = x.Elements, Y = y.Elements, W = w.Elements, B = b.Elements, Mean = mean.Elements, Rstd = rstd.Elements, C = c, Positions = positions,
        });

        RecordIfNeeded(new(x, w, b, mean, rstd), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, weight, _, mean, rstd, _) = Saved;
        var (gx, gw, gb, overwrite) = Gradients();
        var gy = Dense(gradOutput);
        int batch = x.Size(0), c = x.Size(-1);
        int positions = batch * c == 0 ? 0 : x.Numel / (batch * c);
        float count = (float)((long)positions * c);
        if (positions == 0) return;
        // Per sample: Σ dy·x̂ and Σ dy per channel (they give dw and db, and the two sums dx needs).
        float[] sums = BufferPool.Rent(batch * 2 * c + 2 * batch);
        try
        {
            var w = weight.AsSpan();
            var coef = sums.AsSpan(batch * 2 * c, 2 * batch);
            var inputs = new NormBackwardInputs(x.Elements, gy.Elements, mean.Elements, rstd.Elements, c, RowsPerStat: positions);
            ChunkedReduction.RunSegmented(batch, positions, 2 * c, new AffineReducer(inputs), sums);
            for (int n = 0; n < batch; n++)
            {
                var s = sums.AsSpan(n * 2 * c, 2 * c);
                float r = rstd[n];
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
                    Inputs = inputs, Gx = gx.Elements, W = weight.Elements, Coef = new FloatSlice(sums, batch * 2 * c, 2 * batch), Accumulate = !overwrite,
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
    private readonly struct RowTotal(FloatSlice x, int c, int positions, FloatSlice? mean) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            var span = x.AsSpan(first * c, (last - first) * c);
            partial[0] += mean is { } m ? NormRows.SumSquaredDeviations(span, m[first / positions]) : TensorPrimitives.Sum(span);
        }
    }

    private readonly struct AffineReducer(NormBackwardInputs inputs) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial) =>
            NormColumns.AddAffineGrads(inputs, first, last, partial[..inputs.C], partial[inputs.C..]);
    }

    private struct ForwardBody : IRangeBody
    {
        public FloatSlice X, Y, W, B, Mean, Rstd;
        public int C, Positions;

        public readonly void Invoke(int start, int end)
        {
            var w = W.AsSpan(0, C);
            var b = B.AsSpan(0, C);
            for (int r = start; r < end; r++)
            {
                int n = r / Positions;
                NormRows.Normalize(X.Row(r, C), Mean[n], Rstd[n], w, b, Y.Row(r, C));
            }
        }
    }

    /// <summary><c>dx += rstd·dy·w − c0 − (x − mean)·c1</c> per row (<c>=</c> without <see cref="Accumulate"/>), with each sample's <c>(c0, c1)</c> in <see cref="Coef"/>.</summary>
    private struct InputGradBody : IRangeBody
    {
        public NormBackwardInputs Inputs;
        public FloatSlice Gx, W, Coef;
        public bool Accumulate;

        public readonly void Invoke(int start, int end)
        {
            int c = Inputs.C;
            var w = W.AsSpan(0, c);
            for (int r = start; r < end; r++)
            {
                int n = r / Inputs.RowsPerStat;
                NormRows.AddInputGrad(Inputs.X.Row(r, c), Inputs.Dy.Row(r, c), w, Inputs.Mean[n], Inputs.Rstd[n],
                    Coef[2 * n], Coef[2 * n + 1], Gx.Row(r, c), Accumulate);
            }
        }
    }
}
