using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>
/// A two-input element-wise function in scalar form and at each vector width, the runtime's operator pattern
/// (<c>System.Numerics.Tensors</c>' <c>IBinaryOperator</c>): a readonly struct whose static members
/// <see cref="Pointwise"/> calls, so that one driver loop serves every operator. Each form performs the same IEEE
/// operations lane by lane, so the vector paths and the scalar tail give the same bits. A one-input function
/// (an activation's forward) ignores its second input.
/// </summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
