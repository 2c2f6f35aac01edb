using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Simd;

/// <summary>Runs an <see cref="IWidthLoop"/>: 16 lanes with AVX-512, else 8 with AVX2, else 4 with SSE or Arm64 Neon, then single floats.</summary>
internal static class Widths
{
    /// <summary>The loop at the widest accelerated width, then the remaining elements one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TLoop>(scoped ref TLoop loop) where TLoop : IWidthLoop, allows ref struct
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = loop.Run<Vector512<float>, Simd512>(i);
        else if (Vector256.IsHardwareAccelerated) i = loop.Run<Vector256<float>, Simd256>(i);
        else if (Vector128.IsHardwareAccelerated) i = loop.Run<Vector128<float>, Simd128>(i);
        loop.Run<float, Simd32>(i);
    }
}
