using System.Numerics.Tensors;
using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Kernels.Norms;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Batch normalisation over the last (channel) axis of channels-last data <c>[..., C]</c>, as
/// <c>torch.nn.functional.batch_norm</c>. Training: statistics over all positions (biased variance
/// for normalising), running statistics updated in place as
/// <c>r = (1 − momentum)·r + momentum·s</c> with the unbiased variance <c>var·n/(n − 1)</c>; the
/// backward includes the statistics' gradient. Evaluation: the running statistics are used.
/// Sums use fixed row chunks in a fixed order (bit-identical for any thread count).
/// Synchronised (a group of more than one rank, training only): the statistics are those of all ranks' inputs together
/// (per-channel sums, then squared deviations from the common mean, each summed over the ranks), and the backward sums
/// Σ dy and Σ dy·x̂ over the ranks too, so each rank's input gradient is its part of the one-process gradient; the weight and
/// bias gradients stay this rank's part (the gradient allreduce adds the parts).
/// </summary>
internal sealed class BatchNormFunction : NormFunction<BatchNormFunction>
{
    public static Tensor Apply(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar, bool training, float momentum, float eps,
        ICommunicator? group = null)
    {
        if (!training || group is { Size: 1 }) group = null;
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm needs a [..., C] input with at least two dimensions; got {Tensor.FormatShape(x.Shape)}.");
        int c = x.Size(-1);
        (x, var w, var b) = Operands("BatchNorm", x, weight, bias, c);
        CheckRunning("running mean", runningMean, c);
        CheckRunning("running variance", runningVar, c);
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException("BatchNorm in evaluation mode needs the running mean and running variance.");
        int rows = c == 0 ? 0 : x.Numel / c;
        if (training && group is null && c > 0 && rows <= 1)
            throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel; input {Tensor.FormatShape(x.Shape)} has {rows}.");
        var mean = Tensor.Empty(c);
        var rstd = Tensor.Empty(c);
        var m = mean.AsSpan();
        var r = rstd.AsSpan();
        if (training)
        {
            ChunkedReduction.Run(rows, new RowSum(x.Elements, c), m);
            float count = group is null ? rows : SumOverRanks(group, m, rows, x);
            TensorPrimitives.Divide(m, count, m);
            ChunkedReduction.Run(rows, new SquaredDeviations(x.Elements, mean.Elements, c), r);
            group?.AllreduceSum(r);
            float keep = 1f - momentum, unbias = count / (count - 1);
            var rm = runningMean is null ? default : runningMean.AsSpan();
            var rv = runningVar is null ? default : runningVar.AsSpan();
            for (int i = 0; i < c; i++)
            {
                float variance = r[i] / count;
                if (!rm.IsEmpty) rm[i] = keep * rm[i] + momentum * m[i];
                if (!rv.IsEmpty) rv[i] = keep * rv[i] + momentum * variance * unbias;
                r[i] = 1f / MathF.Sqrt(variance + eps);
            }
        }
        else
        {
            runningMean!.AsSpan().CopyTo(m);
            var v = runningVar!.AsSpan();
            for (int i = 0; i < c; i++) r[i] = 1f / MathF.Sqrt(v[i] + eps);
        }

        // y = (x − mean)·k + b with k = rstd·w per channel.
        var y = Tensor.Empty(x.Shape);
        var k = Tensor.Empty(c);
        TensorPrimitives.Multiply(r, w.AsSpan(), k.AsSpan());
        ParallelRunner.For(rows, Math.Max(1, 16384 / Math.Max(c, 1)), new ForwardBody
        {
            X = x.Elements, Y = y.Elements, Mean = mean.Elements, K = k.Elements, B = b.Elements, C = c,
        });

        RecordIfNeeded(new(x, w, b, mean, rstd, StatisticsFromInput: training) { Group = group }, y);
        return y;
    }

    // Adds the other ranks' per-channel sums into sums and returns the rows of all ranks; every rank must have more than one value per channel between them.
    private static float SumOverRanks(ICommunicator group, Span<float> sums, int rows, Tensor x)
    {
        int c = sums.Length;
        float[] buffer = BufferPool.Rent(c + 1);
        try
        {
            sums.CopyTo(buffer);
            buffer[c] = rows;
            group.AllreduceSum(buffer.AsSpan(0, c + 1));
            buffer.AsSpan(0, c).CopyTo(sums);
            float count = buffer[c];
            if (c > 0 && count <= 1)
                throw new ArgumentException($"BatchNorm in training mode needs more than one value per channel over all ranks; input {Tensor.FormatShape(x.Shape)} has {count}.");
            return count;
        }
        finally
        {
            BufferPool.Return(buffer);
        }
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, weight, _, mean, rstdTensor, training) = Saved;
        var group = Saved.Group;
        var (gx, gw, gb, overwrite) = Gradients();
        var gy = Dense(gradOutput);
        int c = x.Size(-1);
        int rows = c == 0 ? 0 : x.Numel / c;
        if (rows == 0) return;
        float[] scratch = BufferPool.Rent(5 * c + 1);
        try
        {
            // Σ dy and Σ dy·(x − mean) per channel.
            var sums = scratch.AsSpan(0, 2 * c);
            ChunkedReduction.Run(rows, new GradSums(x.Elements, gy.Elements, mean.Elements, c), sums);
            var sdy = sums[..c];
            var sdxh = sums[c..];
            var rstd = rstdTensor.AsSpan();
            TensorPrimitives.Multiply(sdxh, rstd, sdxh);  // Σ dy·x̂
            if (gw is not null) TensorPrimitives.Add(gw.AsSpan(), sdxh, gw.AsSpan());
            if (gb is not null) TensorPrimitives.Add(gb.AsSpan(), sdy, gb.AsSpan());
            if (gx is null) return;
            float count = rows;
            if (group is not null)
            {
                // The statistics came from every rank's rows: so do their gradient's sums.
                scratch[2 * c] = rows;
                group.AllreduceSum(scratch.AsSpan(0, 2 * c + 1));
                count = scratch[2 * c];
            }

            // dx = dy·k1 + (x − mean)·k2 + k3 per channel; in evaluation the statistics are constants (k2 = k3 = 0).
            var k1 = scratch.AsSpan(2 * c, c);
            var k2 = scratch.AsSpan(3 * c, c);
            var k3 = scratch.AsSpan(4 * c, c);
            var w = weight.AsSpan();
            TensorPrimitives.Multiply(w, rstd, k1);
            if (training)
            {
                for (int i = 0; i < c; i++)
                {
                    k2[i] = -k1[i] * rstd[i] * sdxh[i] / count;
                    k3[i] = -k1[i] * sdy[i] / count;
                }
            }
            else
            {
                k2.Clear();
                k3.Clear();
            }
            ParallelRunner.For(rows, Math.Max(1, 16384 / Math.Max(c, 1)), new InputGradBody
            {
                X = x.Elements, Gy = gy.Elements, Gx = gx.Elements, Mean = mean.Elements, K = scratch, C = c, Accumulate = !overwrite,
            });
        }
        finally
        {
            BufferPool.Return(scratch);
        }
    }

    private static void CheckRunning(string what, Tensor? t, int c)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Size(0) != c || !t.IsContiguous)
            throw new ArgumentException($"BatchNorm {what} must be a contiguous [{c}] tensor (it is updated in place); got {Tensor.FormatShape(t.Shape)}{(t.IsContiguous ? "" : " strided")}.");
    }

    private readonly struct SquaredDeviations(FloatSlice x, FloatSlice mean, int c) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial) =>
            NormColumns.AddSquaredDeviations(x, c, first, last, mean.AsSpan(0, c), partial);
    }

    private readonly struct GradSums(FloatSlice x, FloatSlice gy, FloatSlice mean, int c) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial) =>
            NormColumns.AddGradSums(x, gy, c, first, last, mean.AsSpan(0, c), partial[..c], partial[c..]);
    }

    private struct ForwardBody : IRangeBody
    {
        public FloatSlice X, Y, Mean, K, B;
        public int C;

        public readonly void Invoke(int start, int end)
        {
            var mean = Mean.AsSpan(0, C);
            var k = K.AsSpan(0, C);
            var b = B.AsSpan(0, C);
            for (int r = start; r < end; r++)
                NormRows.NormalizeChannels(X.Row(r, C), mean, k, b, Y.Row(r, C));
        }
    }

    private struct InputGradBody : IRangeBody
    {
        public FloatSlice X, Gy, Gx, Mean, K;
        public int C;
        public bool Accumulate;

        public readonly void Invoke(int start, int end)
        {
            var mean = Mean.AsSpan(0, C);
            var k1 = K.AsSpan(2 * C, C);
            var k2 = K.AsSpan(3 * C, C);
            var k3 = K.AsSpan(4 * C, C);
            for (int r = start; r < end; r++)
                NormRows.AddChannelInputGrad(X.Row(r, C), Gy.Row(r, C), mean, k1, k2, k3, Gx.Row(r, C), Accumulate);
        }
    }
}
