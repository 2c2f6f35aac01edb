using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    /// <summary>The vectorised update; <paramref name="b"/> is empty when momentum is 0.</summary>
    public static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in Coefficients c)
    {
        int n = p.Length;
        bool hasBuffer = c.Momentum != 0;
        if (g.Length != n || (hasBuffer && b.Length != n)) throw new ArgumentException("SGD spans differ in length.");
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float br = ref MemoryMarshal.GetReference(b);
            var lr = Vector512.Create(c.NegLr);
            var wd = Vector512.Create(c.WeightDecay);
            var mu = Vector512.Create(c.Momentum);
            var damp = Vector512.Create(c.OneMinusDampening);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var pi = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (c.WeightDecay != 0) d += wd * pi;
                if (hasBuffer)
                {
                    var bi = c.FirstStep ? d : Vector512.LoadUnsafe(ref br, (nuint)i) * mu + damp * d;
                    bi.StoreUnsafe(ref br, (nuint)i);
                    d = c.Nesterov ? d + mu * bi : bi;
                }
                (pi + lr * d).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float br = ref MemoryMarshal.GetReference(b);
            var lr = Vector256.Create(c.NegLr);
            var wd = Vector256.Create(c.WeightDecay);
            var mu = Vector256.Create(c.Momentum);
            var damp = Vector256.Create(c.OneMinusDampening);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (c.WeightDecay != 0) d += wd * pi;
                if (hasBuffer)
                {
                    var bi = c.FirstStep ? d : Vector256.LoadUnsafe(ref br, (nuint)i) * mu + damp * d;
                    bi.StoreUnsafe(ref br, (nuint)i);
                    d = c.Nesterov ? d + mu * bi : bi;
                }
                (pi + lr * d).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        Reference(p[i..], g[i..], hasBuffer ? b[i..] : default, c);
    }

    /// <summary>The scalar reference (also the vector loops' tail).</summary>
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
