using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// MetaFormer's StarReLU: <c>y = s · relu(x)² + b</c> with learnable one-element <c>s</c> and <c>b</c>.
/// Backward: <c>dx = g·2s·relu(x)</c>, <c>ds = Σ g·relu(x)²</c>, <c>db = Σ g</c>. The sums are taken
/// over fixed-size blocks (in parallel) and the block sums added in order, so they do not depend on
/// the thread count.
/// </summary>
internal sealed class StarReluFunction : Function<StarReluFunction>
{
    // Fixed summation blocks: the split of a reduction must never follow the thread count.
    private const int Block = 1 << 14;

    private Tensor _x = null!, _scale = null!, _bias = null!, _relu = null!;

    public static Tensor Apply(Tensor x, Tensor scale, Tensor bias)
    {
        if (scale.Numel != 1 || bias.Numel != 1)
            throw new ArgumentException($"StarRelu's scale and bias must each hold one element; got {Tensor.FormatShape(scale.Shape)} and {Tensor.FormatShape(bias.Shape)}.");
        x = x.Contiguous();
        float s = scale.Item(), b = bias.Item();
        var relu = Tensor.Empty(x.Shape);
        var y = Tensor.Empty(x.Shape);
        var r = relu.AsSpan();
        TensorPrimitives.Max(x.AsSpan(), 0f, r);
        // s·r² + b as (s·r)·r + b.
        var ys = y.AsSpan();
        TensorPrimitives.Multiply(r, s, ys);
        TensorPrimitives.Multiply(ys, r, ys);
        TensorPrimitives.Add(ys, b, ys);
        if (Tape.Needs(x, scale, bias))
        {
            var node = Rent();
            node._x = x;
            node._scale = scale;
            node._bias = bias;
            node._relu = relu;
            Tape.Record(node, y);
        }
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var g = gradOutput.AsSpan();
        var r = _relu.AsSpan();
        if (Tape.GradOf(_x) is { } gx)
        {
            // dx += g · 2s · relu(x)  (zero where x ≤ 0, as relu is there).
            float twoS = 2f * _scale.Item();
            var dx = gx.AsSpan();
            var t = Tensor.Empty(gx.Shape).AsSpan();
            TensorPrimitives.Multiply(g, r, t);
            TensorPrimitives.MultiplyAdd(t, twoS, dx, dx);
        }
        var gs = Tape.GradOf(_scale);
        var gb = Tape.GradOf(_bias);
        if (gs is null && gb is null) return;
        int n = g.Length;
        int blocks = (n + Block - 1) / Block;
        var partial = Tensor.Empty(2 * blocks);
        ParallelRunner.For(blocks, 1, new BlockSums(gradOutput.Data, gradOutput.Offset, _relu.Data, _relu.Offset, n, partial.Data, partial.Offset));
        double sumS = 0, sumB = 0;
        var p = partial.AsSpan();
        for (int i = 0; i < blocks; i++)
        {
            sumS += p[2 * i];
            sumB += p[2 * i + 1];
        }
        if (gs is not null) gs.Data[gs.Offset] += (float)sumS;
        if (gb is not null) gb.Data[gb.Offset] += (float)sumB;
    }

    protected override void Clear()
    {
        _x = null!;
        _scale = null!;
        _bias = null!;
        _relu = null!;
    }

    /// <summary>For each block: Σ g·relu(x)² and Σ g.</summary>
    private readonly struct BlockSums(float[] g, int gOffset, float[] relu, int reluOffset, int n, float[] partial, int partialOffset) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            Span<float> tmp = stackalloc float[256];
            for (int blk = start; blk < end; blk++)
            {
                int from = blk * Block, len = Math.Min(Block, n - from);
                var gs = g.AsSpan(gOffset + from, len);
                var rs = relu.AsSpan(reluOffset + from, len);
                double ss = 0;
                // Σ g·r·r in chunks through a small stack buffer.
                for (int i = 0; i < len; i += tmp.Length)
                {
                    int m = Math.Min(tmp.Length, len - i);
                    var t = tmp[..m];
                    TensorPrimitives.Multiply(gs.Slice(i, m), rs.Slice(i, m), t);
                    ss += TensorPrimitives.Dot(t, rs.Slice(i, m));
                }
                partial[partialOffset + 2 * blk] = (float)ss;
                partial[partialOffset + 2 * blk + 1] = TensorPrimitives.Sum(gs);
            }
        }
    }
}
