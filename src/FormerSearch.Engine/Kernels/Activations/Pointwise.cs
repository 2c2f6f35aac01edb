using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>The shared driver loop: 16 lanes at a time with AVX-512, else 8 with AVX2, then a scalar tail.</summary>
internal static class Pointwise
{
    /// <summary><c>dst[i] = Op(x[i], g[i])</c>, or <c>dst[i] += Op(x[i], g[i])</c> when <paramref name="accumulate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dst, bool accumulate)
        where TOp : IPointwiseOperator
    {
        int n = dst.Length;
        if (x.Length < n || g.Length < n)
            throw new ArgumentException($"Pointwise inputs ({x.Length}, {g.Length}) are shorter than the destination ({n}).");
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float dr = ref MemoryMarshal.GetReference(dst);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref gr, (nuint)i));
                if (accumulate) v += Vector512.LoadUnsafe(ref dr, (nuint)i);
                Vector512.StoreUnsafe(v, ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float dr = ref MemoryMarshal.GetReference(dst);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i));
                if (accumulate) v += Vector256.LoadUnsafe(ref dr, (nuint)i);
                Vector256.StoreUnsafe(v, ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = TOp.Invoke(x[i], g[i]);
            dst[i] = accumulate ? dst[i] + v : v;
        }
    }
}
