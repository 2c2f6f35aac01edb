using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// The mean over every position of each sample: <c>[B, H, W, C] → [B, C]</c> (global average pooling)
/// or <c>[B, N, C] → [B, C]</c> (mean over tokens). Sums use fixed row chunks in a fixed order.
/// </summary>
internal sealed class GlobalAvgPoolFunction : Function<GlobalAvgPoolFunction, GlobalAvgPoolFunction.State>
{
    internal readonly record struct State(Tensor X);

    public static Tensor Apply(Tensor x)
    {
        if (x.Rank < 3) throw new ArgumentException($"GlobalAvgPool needs a [B, H, W, C] or [B, N, C] input; got {Tensor.FormatShape(x.Shape)}.");
        int batch = x.Size(0), c = x.Size(-1);
        int positions = batch * c == 0 ? 0 : x.Numel / (batch * c);
        if (positions == 0 && batch * c != 0)
            throw new ArgumentException($"GlobalAvgPool of {Tensor.FormatShape(x.Shape)} averages over no positions.");
        x = x.Contiguous();
        var y = Tensor.Empty(batch, c);
        if (c > 0 && positions > 0)
        {
            ChunkedReduction.RunSegmented(batch, positions, c, new RowSum(x.Elements, c), y.AsSpan());
            TensorPrimitives.Divide(y.AsSpan(), positions, y.AsSpan());
        }
        if (Tape.Needs(x)) Record(new(x), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var x = Saved.X;
        if (Tape.GradOf(x) is not { } gx) return;
        int batch = x.Size(0), c = x.Size(-1);
        if (batch * c == 0) return;
        int positions = x.Numel / (batch * c);
        float[] scaled = BufferPool.Rent(batch * c);
        try
        {
            StridedCopy(gradOutput, scaled);
            TensorPrimitives.Divide(scaled.AsSpan(0, batch * c), positions, scaled.AsSpan(0, batch * c));
            ParallelRunner.For(batch * positions, Math.Max(1, 16384 / c), new InputGradBody
            {
                Scaled = scaled, Gx = gx.Elements, C = c, Positions = positions,
            });
        }
        finally
        {
            BufferPool.Return(scaled);
        }
    }

    private static void StridedCopy(Tensor g, float[] dst)
    {
        if (g.IsContiguous)
        {
            g.AsSpan().CopyTo(dst);
            return;
        }
        int c = g.Size(1);
        for (int n = 0; n < g.Size(0); n++)
            for (int ch = 0; ch < c; ch++)
                dst[n * c + ch] = g[n, ch];
    }

    private struct InputGradBody : IRangeBody
    {
        public FloatSlice Scaled, Gx;
        public int C, Positions;

        public readonly void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                var dst = Gx.Row(r, C);
                TensorPrimitives.Add(dst, Scaled.AsSpan(r / Positions * C, C), dst);
            }
        }
    }
}
