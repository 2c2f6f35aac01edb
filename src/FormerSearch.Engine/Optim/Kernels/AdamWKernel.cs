using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;
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

    /// <summary>The vectorised update of equal-length spans: the widest accelerated vectors, then single floats.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients c)
    {
        var loop = Loop.Of(p, g, m, v, c);
        Widths.Run(ref loop);
    }

    /// <summary>As <see cref="Update"/> at one chosen width, then single floats, so that tests cover every width on any machine.</summary>
    internal static void UpdateAt<TVector, TSimd>(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients c)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        var loop = Loop.Of(p, g, m, v, c);
        loop.Run<float, Simd32>(loop.Run<TVector, TSimd>(0));
    }

    /// <summary>The scalar reference the update is tested against.</summary>
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

    /// <summary>The update written once for every width (<see cref="IWidthLoop"/>).</summary>
    private readonly ref struct Loop(ref float p, ref float g, ref float m, ref float v, int n, Coefficients c) : IWidthLoop
    {
        private readonly ref float _p = ref p, _g = ref g, _m = ref m, _v = ref v;

        public static Loop Of(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients c)
        {
            int n = p.Length;
            if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("AdamW spans differ in length.");
            return new Loop(ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(g),
                ref MemoryMarshal.GetReference(m), ref MemoryMarshal.GetReference(v), n, c);
        }

        /// <summary>Whole vectors from element <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            if (n - i < TSimd.Count) return i;
            TVector decay = TSimd.Create(c.Decay), b1 = TSimd.Create(c.Beta1), ob1 = TSimd.Create(c.OneMinusBeta1);
            TVector b2 = TSimd.Create(c.Beta2), ob2 = TSimd.Create(c.OneMinusBeta2), bc2 = TSimd.Create(c.Bc2Sqrt);
            TVector eps = TSimd.Create(c.Eps), step = TSimd.Create(c.NegStepSize);
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var gi = TSimd.Load(ref _g, (nuint)i);
                var pi = TSimd.Multiply(TSimd.Load(ref _p, (nuint)i), decay);
                var mi = TSimd.Add(TSimd.Multiply(TSimd.Load(ref _m, (nuint)i), b1), TSimd.Multiply(ob1, gi));
                var vi = TSimd.Add(TSimd.Multiply(TSimd.Load(ref _v, (nuint)i), b2), TSimd.Multiply(TSimd.Multiply(ob2, gi), gi));
                var denom = TSimd.Add(TSimd.Divide(TSimd.Sqrt(vi), bc2), eps);
                TSimd.Store(TSimd.Add(pi, TSimd.Divide(TSimd.Multiply(step, mi), denom)), ref _p, (nuint)i);
                TSimd.Store(mi, ref _m, (nuint)i);
                TSimd.Store(vi, ref _v, (nuint)i);
            }
            return i;
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
