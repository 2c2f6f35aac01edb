using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>A two-operand arithmetic in scalar and 16-lane form (the runtime's operator pattern).</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
