using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// The fused SGD update of one parameter, in the order torch 1.13's <c>_single_tensor_sgd</c> applies it:
/// <c>d = g + wd·p; b = first ? d : b·μ + (1−τ)·d; d = nesterov ? d + μ·b : b; p += (−lr)·d</c>
/// (momentum 0: <c>p += (−lr)·d</c>, no buffer). No fused multiply-add, so the vector and scalar
/// paths agree bit for bit.
/// </summary>
internal static class SgdKernel
{
    /// <summary>The per-step scalars, rounded to float once. <see cref="Momentum"/> 0 means no buffer.</summary>
    [StructLayout(LayoutKind.Auto)]
    internal readonly record struct Coefficients(float NegLr, float WeightDecay, float Momentum, float OneMinusDampening, bool Nesterov, bool FirstStep);

    private const int Grain = 1 << 15;

    /// <summary>Updates the contiguous parameter (and momentum buffer, when momentum is not 0), in parallel for large ones.</summary>
    public static void Run(Tensor p, Tensor g, Tensor? buffer, in Coefficients c)
    {
        var body = new Body(p.Elements, g.Elements, buffer?.Elements ?? default, c);
        ParallelRunner.For(p.Numel, Grain, body);
    }

    /// <summary>
    /// The vectorised update (the widest accelerated vectors, then single floats); <paramref name="b"/> is empty when
    /// momentum is 0.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in Coefficients c)
    {
        var loop = Loop.Of(p, g, b, c);
        Widths.Run(ref loop);
    }

    /// <summary>As <see cref="Update"/> at one chosen width, then single floats, so that tests cover every width on any machine.</summary>
    internal static void UpdateAt<TVector, TSimd>(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in Coefficients c)
        where TVector : struct where TSimd : ISimd<TVector>
    {
        var loop = Loop.Of(p, g, b, c);
        loop.Run<float, Simd32>(loop.Run<TVector, TSimd>(0));
    }

    /// <summary>The scalar reference the update is tested against.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reference(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in Coefficients c)
    {
        bool hasBuffer = c.Momentum != 0;
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i];
            if (c.WeightDecay != 0) d += c.WeightDecay * p[i];
            if (hasBuffer)
            {
                float bi = c.FirstStep ? d : b[i] * c.Momentum + c.OneMinusDampening * d;
                b[i] = bi;
                d = c.Nesterov ? d + c.Momentum * bi : bi;
            }
            p[i] += c.NegLr * d;
        }
    }

    /// <summary>The update written once for every width (<see cref="IWidthLoop"/>).</summary>
    private readonly ref struct Loop(ref float p, ref float g, ref float b, int n, Coefficients c) : IWidthLoop
    {
        private readonly ref float _p = ref p, _g = ref g, _b = ref b;

        public static Loop Of(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in Coefficients c)
        {
            int n = p.Length;
            if (g.Length != n || (c.Momentum != 0 && b.Length != n)) throw new ArgumentException("SGD spans differ in length.");
            return new Loop(ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(g), ref MemoryMarshal.GetReference(b), n, c);
        }

        /// <summary>Whole vectors from element <paramref name="i"/> on; returns where the first incomplete one starts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int i) where TVector : struct where TSimd : ISimd<TVector>
        {
            if (n - i < TSimd.Count) return i;
            bool hasBuffer = c.Momentum != 0;
            TVector lr = TSimd.Create(c.NegLr), wd = TSimd.Create(c.WeightDecay), mu = TSimd.Create(c.Momentum), damp = TSimd.Create(c.OneMinusDampening);
            for (; i <= n - TSimd.Count; i += TSimd.Count)
            {
                var pi = TSimd.Load(ref _p, (nuint)i);
                var d = TSimd.Load(ref _g, (nuint)i);
                if (c.WeightDecay != 0) d = TSimd.Add(d, TSimd.Multiply(wd, pi));
                if (hasBuffer)
                {
                    var bi = c.FirstStep ? d : TSimd.Add(TSimd.Multiply(TSimd.Load(ref _b, (nuint)i), mu), TSimd.Multiply(damp, d));
                    TSimd.Store(bi, ref _b, (nuint)i);
                    d = c.Nesterov ? TSimd.Add(d, TSimd.Multiply(mu, bi)) : bi;
                }
                TSimd.Store(TSimd.Add(pi, TSimd.Multiply(lr, d)), ref _p, (nuint)i);
            }
            return i;
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly struct Body(FloatSlice p, FloatSlice g, FloatSlice b, Coefficients c) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int n = end - start;
            var buffer = c.Momentum != 0 ? b.AsSpan(start, n) : default;
            Update(p.AsSpan(start, n), g.AsSpan(start, n), buffer, c);
        }
    }
}
