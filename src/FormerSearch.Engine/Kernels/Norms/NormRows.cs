using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// The per-row vector loops shared by LayerNorm, GroupNorm and BatchNorm: a row is a run of
/// contiguous channels. Each loop is <c>Vector512</c> over 16 channels (else <c>Vector256</c> over 8) with a scalar tail;
/// the order of every sum depends only on the row length and the instruction set, so results are reproducible.
/// </summary>
internal static class NormRows
{
    /// <summary>Σ (x − mean)² over the row (the second pass of a two-pass variance, which avoids cancellation).</summary>
    public static float SumSquaredDeviations(ReadOnlySpan<float> x, float mean)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(mean);
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - vm;
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            s = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - vm;
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
            }
            s = Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref xr, i) - mean;
            s = MathF.FusedMultiplyAdd(d, d, s);
        }
        return s;
    }

    /// <summary>Mean and <c>1/sqrt(var + eps)</c> (biased variance) of one row.</summary>
    public static void Moments(ReadOnlySpan<float> x, float eps, out float mean, out float rstd)
    {
        int n = x.Length;
        mean = Sum(x) / n;
        rstd = 1f / MathF.Sqrt(SumSquaredDeviations(x, mean) / n + eps);
    }

    /// <summary>Σ x over the row, inline (a library call per 64-channel row costs as much as the sum).</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref xr, (nuint)i);
            s = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref xr, (nuint)i);
            s = Vector256.Sum(acc);
        }
        for (; i < n; i++) s += Unsafe.Add(ref xr, i);
        return s;
    }

    /// <summary><c>y = (x − mean)·rstd·w + b</c> with scalar mean/rstd and per-channel w, b.</summary>
    public static void Normalize(ReadOnlySpan<float> x, float mean, float rstd, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(mean);
            var vr = Vector512.Create(rstd);
            for (; i <= n - 16; i += 16)
            {
                var xh = (Vector512.LoadUnsafe(ref xr, (nuint)i) - vm) * vr;
                Vector512.FusedMultiplyAdd(xh, Vector512.LoadUnsafe(ref wr, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var vr = Vector256.Create(rstd);
            for (; i <= n - 8; i += 8)
            {
                var xh = (Vector256.LoadUnsafe(ref xr, (nuint)i) - vm) * vr;
                Vector256.FusedMultiplyAdd(xh, Vector256.LoadUnsafe(ref wr, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd((Unsafe.Add(ref xr, i) - mean) * rstd, Unsafe.Add(ref wr, i), Unsafe.Add(ref br, i));
    }

    /// <summary><c>y = (x − mean)·k + b</c> with per-channel mean, k (= rstd·w) and b (BatchNorm).</summary>
    public static void NormalizeChannels(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> k, ReadOnlySpan<float> b, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float kr = ref MemoryMarshal.GetReference(k);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i);
                Vector512.FusedMultiplyAdd(d, Vector512.LoadUnsafe(ref kr, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref kr, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i) - Unsafe.Add(ref mr, i), Unsafe.Add(ref kr, i), Unsafe.Add(ref br, i));
    }

    /// <summary><c>acc += (x − mean)²</c> per channel (BatchNorm's variance pass).</summary>
    public static void AddSquaredDeviations(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i);
                Vector512.FusedMultiplyAdd(d, d, Vector512.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                Vector256.FusedMultiplyAdd(d, d, Vector256.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref xr, i) - Unsafe.Add(ref mr, i);
            Unsafe.Add(ref ar, i) = MathF.FusedMultiplyAdd(d, d, Unsafe.Add(ref ar, i));
        }
    }

    /// <summary><c>acc += dy·(x − mean)</c> per channel (BatchNorm's backward statistics).</summary>
    public static void AddProductOfDeviations(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i);
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)i), d, Vector512.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)i), d, Vector256.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref ar, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, i), Unsafe.Add(ref xr, i) - Unsafe.Add(ref mr, i), Unsafe.Add(ref ar, i));
    }

    /// <summary>
    /// <c>dw += dy·(x − mean)·rstd</c> and <c>db += dy</c> for a row with scalar statistics (LayerNorm,
    /// GroupNorm); either destination may be empty when not needed.
    /// </summary>
    public static void AddAffineGrads(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float mean, float rstd, Span<float> dw, Span<float> db)
    {
        if (!db.IsEmpty) TensorPrimitives.Add(db, dy, db);
        if (dw.IsEmpty) return;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float wr = ref MemoryMarshal.GetReference(dw);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(mean);
            var vr = Vector512.Create(rstd);
            for (; i <= n - 16; i += 16)
            {
                var xh = (Vector512.LoadUnsafe(ref xr, (nuint)i) - vm) * vr;
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)i), xh, Vector512.LoadUnsafe(ref wr, (nuint)i)).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var vr = Vector256.Create(rstd);
            for (; i <= n - 8; i += 8)
            {
                var xh = (Vector256.LoadUnsafe(ref xr, (nuint)i) - vm) * vr;
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)i), xh, Vector256.LoadUnsafe(ref wr, (nuint)i)).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref wr, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, i), (Unsafe.Add(ref xr, i) - mean) * rstd, Unsafe.Add(ref wr, i));
    }

    /// <summary><c>s1 = Σ dy·w</c> and <c>s2 = Σ dy·w·(x − mean)</c> over one row (LayerNorm backward).</summary>
    public static void GradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, float mean, out float s1, out float s2)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float wr = ref MemoryMarshal.GetReference(w);
        int n = x.Length, i = 0;
        float t1 = 0f, t2 = 0f;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(mean);
            Vector512<float> a1 = Vector512<float>.Zero, a2 = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var g = Vector512.LoadUnsafe(ref gr, (nuint)i) * Vector512.LoadUnsafe(ref wr, (nuint)i);
                a1 += g;
                a2 = Vector512.FusedMultiplyAdd(g, Vector512.LoadUnsafe(ref xr, (nuint)i) - vm, a2);
            }
            t1 = Vector512.Sum(a1);
            t2 = Vector512.Sum(a2);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            Vector256<float> a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var g = Vector256.LoadUnsafe(ref gr, (nuint)i) * Vector256.LoadUnsafe(ref wr, (nuint)i);
                a1 += g;
                a2 = Vector256.FusedMultiplyAdd(g, Vector256.LoadUnsafe(ref xr, (nuint)i) - vm, a2);
            }
            t1 = Vector256.Sum(a1);
            t2 = Vector256.Sum(a2);
        }
        for (; i < n; i++)
        {
            float g = Unsafe.Add(ref gr, i) * Unsafe.Add(ref wr, i);
            t1 += g;
            t2 = MathF.FusedMultiplyAdd(g, Unsafe.Add(ref xr, i) - mean, t2);
        }
        s1 = t1;
        s2 = t2;
    }

    /// <summary>
    /// <c>dx += a·dy·w − c0 − (x − mean)·c1</c>: the input gradient of a normalisation with scalar
    /// statistics, where <c>a = rstd</c>, <c>c0 = rstd·mean(dy·w)</c> and <c>c1 = rstd²·mean(dy·w·x̂)</c>
    /// (x̂ the normalised input), the means taken over the normalised group.
    /// </summary>
    public static void AddInputGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, float mean, float a, float c0, float c1, Span<float> dx)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vm = Vector512.Create(mean), va = Vector512.Create(a), v0 = Vector512.Create(c0), v1 = Vector512.Create(c1);
            for (; i <= n - 16; i += 16)
            {
                var g = Vector512.LoadUnsafe(ref gr, (nuint)i) * Vector512.LoadUnsafe(ref wr, (nuint)i);
                var t = Vector512.FusedMultiplyAdd(g, va, -v0) - (Vector512.LoadUnsafe(ref xr, (nuint)i) - vm) * v1;
                (Vector512.LoadUnsafe(ref dr, (nuint)i) + t).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vm = Vector256.Create(mean), va = Vector256.Create(a), v0 = Vector256.Create(c0), v1 = Vector256.Create(c1);
            for (; i <= n - 8; i += 8)
            {
                var g = Vector256.LoadUnsafe(ref gr, (nuint)i) * Vector256.LoadUnsafe(ref wr, (nuint)i);
                var t = Vector256.FusedMultiplyAdd(g, va, -v0) - (Vector256.LoadUnsafe(ref xr, (nuint)i) - vm) * v1;
                (Vector256.LoadUnsafe(ref dr, (nuint)i) + t).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float g = Unsafe.Add(ref gr, i) * Unsafe.Add(ref wr, i);
            Unsafe.Add(ref dr, i) += MathF.FusedMultiplyAdd(g, a, -c0) - (Unsafe.Add(ref xr, i) - mean) * c1;
        }
    }

    /// <summary><c>dx += dy·k1 + (x − mean)·k2 + k3</c> with per-channel coefficients (BatchNorm backward).</summary>
    public static void AddChannelInputGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> k1, ReadOnlySpan<float> k2, ReadOnlySpan<float> k3, Span<float> dx)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float r1 = ref MemoryMarshal.GetReference(k1);
        ref float r2 = ref MemoryMarshal.GetReference(k2);
        ref float r3 = ref MemoryMarshal.GetReference(k3);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i);
                var t = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)i), Vector512.LoadUnsafe(ref r1, (nuint)i), Vector512.LoadUnsafe(ref r3, (nuint)i));
                t = Vector512.FusedMultiplyAdd(d, Vector512.LoadUnsafe(ref r2, (nuint)i), t);
                (Vector512.LoadUnsafe(ref dr, (nuint)i) + t).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                var t = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gr, (nuint)i), Vector256.LoadUnsafe(ref r1, (nuint)i), Vector256.LoadUnsafe(ref r3, (nuint)i));
                t = Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref r2, (nuint)i), t);
                (Vector256.LoadUnsafe(ref dr, (nuint)i) + t).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float t = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, i), Unsafe.Add(ref r1, i), Unsafe.Add(ref r3, i));
            t = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i) - Unsafe.Add(ref mr, i), Unsafe.Add(ref r2, i), t);
            Unsafe.Add(ref dr, i) += t;
        }
    }
}
