using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// The fused AdamW update of one parameter, element by element in the order torch 1.13's
/// <c>_single_tensor_adamw</c> applies it:
/// <c>p *= decay; m = m·β1 + (1−β1)·g; v = v·β2 + ((1−β2)·g)·g; p += (−step·m) / (√v / √bc2 + ε)</c>.
/// No fused multiply-add, so the vector and scalar paths agree bit for bit and any split of the
/// range over threads gives the same result.
/// </summary>
internal static class AdamWKernel
{
    /// <summary>The per-step scalars, rounded to float once as PyTorch rounds its Python scalars.</summary>
    [StructLayout(LayoutKind.Auto)]
    internal readonly record struct Coefficients(float Decay, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Bc2Sqrt, float Eps, float NegStepSize);

    private const int Grain = 1 << 15;

    /// <summary>Updates the contiguous parameter, gradient and moments (same length), in parallel for large ones.</summary>
    public static void Run(Tensor p, Tensor g, Tensor m, Tensor v, in Coefficients c)
    {
        var body = new Body(p.Elements, g.Elements, m.Elements, v.Elements, c);
        ParallelRunner.For(p.Numel, Grain, body);
    }

    /// <summary>The vectorised update of equal-length spans.</summary>
    public static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients c)
    {
        int n = p.Length;
        if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("AdamW spans differ in length.");
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var decay = Vector512.Create(c.Decay);
            var b1 = Vector512.Create(c.Beta1);
            var ob1 = Vector512.Create(c.OneMinusBeta1);
            var b2 = Vector512.Create(c.Beta2);
            var ob2 = Vector512.Create(c.OneMinusBeta2);
            var bc2 = Vector512.Create(c.Bc2Sqrt);
            var eps = Vector512.Create(c.Eps);
            var step = Vector512.Create(c.NegStepSize);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var gi = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var pi = Vector512.LoadUnsafe(ref pr, (nuint)i) * decay;
                var mi = Vector512.LoadUnsafe(ref mr, (nuint)i) * b1 + ob1 * gi;
                var vi = Vector512.LoadUnsafe(ref vr, (nuint)i) * b2 + ob2 * gi * gi;
                var denom = Vector512.Sqrt(vi) / bc2 + eps;
                pi += step * mi / denom;
                pi.StoreUnsafe(ref pr, (nuint)i);
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var decay = Vector256.Create(c.Decay);
            var b1 = Vector256.Create(c.Beta1);
            var ob1 = Vector256.Create(c.OneMinusBeta1);
            var b2 = Vector256.Create(c.Beta2);
            var ob2 = Vector256.Create(c.OneMinusBeta2);
            var bc2 = Vector256.Create(c.Bc2Sqrt);
            var eps = Vector256.Create(c.Eps);
            var step = Vector256.Create(c.NegStepSize);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var gi = Vector256.LoadUnsafe(ref gr, (nuint)i);
                var pi = Vector256.LoadUnsafe(ref pr, (nuint)i) * decay;
                var mi = Vector256.LoadUnsafe(ref mr, (nuint)i) * b1 + ob1 * gi;
                var vi = Vector256.LoadUnsafe(ref vr, (nuint)i) * b2 + ob2 * gi * gi;
                var denom = Vector256.Sqrt(vi) / bc2 + eps;
                pi += step * mi / denom;
                pi.StoreUnsafe(ref pr, (nuint)i);
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
            }
        }
        Reference(p[i..], g[i..], m[i..], v[i..], c);
    }

    /// <summary>The scalar reference (also the vector loops' tail).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reference(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients c)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            float pi = p[i] * c.Decay;
            float mi = m[i] * c.Beta1 + c.OneMinusBeta1 * gi;
            float vi = v[i] * c.Beta2 + c.OneMinusBeta2 * gi * gi;
            float denom = MathF.Sqrt(vi) / c.Bc2Sqrt + c.Eps;
            p[i] = pi + c.NegStepSize * mi / denom;
            m[i] = mi;
            v[i] = vi;
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly struct Body(FloatSlice p, FloatSlice g, FloatSlice m, FloatSlice v, Coefficients c) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = end - start;
            Update(p.AsSpan(start, n), g.AsSpan(start, n), m.AsSpan(start, n), v.AsSpan(start, n), c);
        }
    }
}
