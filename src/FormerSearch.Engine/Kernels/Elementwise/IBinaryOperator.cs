using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>A two-operand arithmetic in scalar, 16-lane (AVX-512) and 8-lane (AVX2) form (the runtime's operator pattern).</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
}
