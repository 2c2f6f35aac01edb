using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// MetaFormer's StarReLU: <c>y = s · relu(x)² + b</c> with learnable one-element <c>s</c> and <c>b</c>.
/// Backward: <c>dx = g·2s·relu(x)</c>, <c>ds = Σ g·relu(x)²</c>, <c>db = Σ g</c>. The sums are taken
/// over fixed-size blocks (in parallel) and the block sums added in order, so they do not depend on
/// the thread count. Forward and backward are each one fused pass over those blocks.
/// </summary>
internal sealed class StarReluFunction : Function<StarReluFunction, StarReluFunction.State>
{
    // Fixed summation blocks: the split of a reduction must never follow the thread count.
    private const int Block = 1 << 14;

    internal readonly record struct State(Tensor X, Tensor Scale, Tensor Bias, Tensor Relu);

    public static Tensor Apply(Tensor x, Tensor scale, Tensor bias)
    {
        if (scale.Numel != 1 || bias.Numel != 1)
            throw new ArgumentException($"StarRelu's scale and bias must each hold one element; got {Tensor.FormatShape(scale.Shape)} and {Tensor.FormatShape(bias.Shape)}.");
        x = x.Contiguous();
        float s = scale.Item(), b = bias.Item();
        var relu = Tensor.Empty(x.Shape);
        var y = Tensor.Empty(x.Shape);
        int count = x.Numel;
        ParallelRunner.For((count + Block - 1) / Block, 1, new ForwardBody(x.Elements, relu.Elements, y.Elements, s, b));
        if (Tape.Needs(x, scale, bias)) Record(new(x, scale, bias, relu), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, scale, bias, relu) = Saved;
        var gx = Tape.GradOf(x);
        var gs = Tape.GradOf(scale);
        var gb = Tape.GradOf(bias);
        bool sums = gs is not null || gb is not null;
        if (gx is null && !sums) return;
        int n = relu.Numel;
        int blocks = (n + Block - 1) / Block;
        // One pass: dx += g·2s·relu(x) and, per block, Σ g·relu(x)² and Σ g.
        var partial = Tensor.Empty(2 * blocks);
        var g = Dense(gradOutput);
        ParallelRunner.For(blocks, 1, new BackwardBody(g.Elements, relu.Elements, gx?.Elements, 2f * scale.Item(), sums, partial.Elements));
        if (!sums) return;
        double sumS = 0, sumB = 0;
        var p = partial.AsSpan();
        for (int i = 0; i < blocks; i++)
        {
            sumS += p[2 * i];
            sumB += p[2 * i + 1];
        }
        if (gs is not null) gs.StridedElements[0] += (float)sumS;
        if (gb is not null) gb.StridedElements[0] += (float)sumB;
    }

    /// <summary><c>relu = max(x, 0)</c>, <c>y = (s·relu)·relu + b</c> over whole blocks.</summary>
    private readonly struct ForwardBody(FloatSlice x, FloatSlice relu, FloatSlice y, float s, float b) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int from = start * Block, to = Math.Min(x.Length, end * Block);
            ref float xr = ref x.Slice(from).Start;
            ref float rr = ref relu.Slice(from).Start;
            ref float yr = ref y.Slice(from).Start;
            int len = to - from, i = 0;
            Vector512<float> vs = Vector512.Create(s), vb = Vector512.Create(b);
            for (; i <= len - 16; i += 16)
            {
                var r = Vector512.Max(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512<float>.Zero);
                r.StoreUnsafe(ref rr, (nuint)i);
                (r * vs * r + vb).StoreUnsafe(ref yr, (nuint)i);
            }
            for (; i < len; i++)
            {
                float r = MathF.Max(Unsafe.Add(ref xr, i), 0f);
                Unsafe.Add(ref rr, i) = r;
                Unsafe.Add(ref yr, i) = r * s * r + b;
            }
        }
    }

    /// <summary>Per block: <c>dx += (g·relu)·2s</c> when dx is given, and Σ g·relu² and Σ g when <c>sums</c>.</summary>
    private readonly struct BackwardBody(FloatSlice g, FloatSlice relu, FloatSlice? dx, float twoS, bool sums, FloatSlice partial) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            ref float g0 = ref g.Start;
            ref float r0 = ref relu.Start;
            ref float d0 = ref dx.HasValue ? ref dx.Value.Start : ref g0;
            var v2s = Vector512.Create(twoS);
            int n = relu.Length;
            for (int blk = start; blk < end; blk++)
            {
                int from = blk * Block, len = Math.Min(Block, n - from);
                ref float gr = ref Unsafe.Add(ref g0, from);
                ref float rr = ref Unsafe.Add(ref r0, from);
                ref float dr = ref Unsafe.Add(ref d0, from);
                if (dx.HasValue)
                {
                    int i = 0;
                    for (; i <= len - 16; i += 16)
                    {
                        var t = Vector512.LoadUnsafe(ref gr, (nuint)i) * Vector512.LoadUnsafe(ref rr, (nuint)i);
                        (t * v2s + Vector512.LoadUnsafe(ref dr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
                    }
                    for (; i < len; i++) Unsafe.Add(ref dr, i) = Unsafe.Add(ref gr, i) * Unsafe.Add(ref rr, i) * twoS + Unsafe.Add(ref dr, i);
                }
                if (!sums) continue;
                // Σ g·r² and Σ g: float lanes over 256-element chunks, chunks added in double (fixed order).
                double ss = 0, sb = 0;
                for (int c = 0; c < len; c += 256)
                {
                    int m = Math.Min(256, len - c), i = 0;
                    Vector512<float> as2 = Vector512<float>.Zero, ab = Vector512<float>.Zero;
                    for (; i <= m - 16; i += 16)
                    {
                        var gv = Vector512.LoadUnsafe(ref gr, (nuint)(c + i));
                        var rv = Vector512.LoadUnsafe(ref rr, (nuint)(c + i));
                        as2 = Vector512.FusedMultiplyAdd(gv * rv, rv, as2);
                        ab += gv;
                    }
                    float fs = Vector512.Sum(as2), fb = Vector512.Sum(ab);
                    for (; i < m; i++)
                    {
                        float gv = Unsafe.Add(ref gr, c + i), rv = Unsafe.Add(ref rr, c + i);
                        fs = MathF.FusedMultiplyAdd(gv * rv, rv, fs);
                        fb += gv;
                    }
                    ss += fs;
                    sb += fb;
                }
                partial[2 * blk] = (float)ss;
                partial[2 * blk + 1] = (float)sb;
            }
        }
    }
}
