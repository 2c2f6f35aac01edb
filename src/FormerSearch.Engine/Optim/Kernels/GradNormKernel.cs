using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// Sums for gradient norms, accumulated in double in a fixed order (eight interleaved lanes, then
/// the lanes in index order, then the tail) so the result never depends on threads.
/// </summary>
internal static class GradNormKernel
{
    /// <summary>Σ xᵢ² in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        int i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                acc0 += lo * lo;
                acc1 += hi * hi;
            }
            sum = SumLanes(acc0 + acc1);
        }
        return sum + SumOfSquaresReference(x[i..]);
    }

    /// <summary>The scalar reference for <see cref="SumOfSquares"/> (also its tail).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double SumOfSquaresReference(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return sum;
    }

    /// <summary>Σ |xᵢ|^p in double, for norms other than 2 and ∞ (rare, so scalar).</summary>
    public static double SumOfPowers(ReadOnlySpan<float> x, double p)
    {
        double sum = 0;
        foreach (float v in x) sum += Math.Pow(Math.Abs((double)v), p);
        return sum;
    }

    /// <summary>max |xᵢ| (NaN if any element is NaN).</summary>
    public static double MaxAbs(ReadOnlySpan<float> x)
    {
        float max = 0;
        foreach (float v in x)
        {
            float a = MathF.Abs(v);
            if (a > max || float.IsNaN(a)) max = a;
            if (float.IsNaN(max)) break;
        }
        return max;
    }

    private static double SumLanes(Vector512<double> v)
    {
        double s = 0;
        for (int k = 0; k < Vector512<double>.Count; k++) s += v[k];
        return s;
    }
}
