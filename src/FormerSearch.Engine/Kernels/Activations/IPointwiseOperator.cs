using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>A two-input pointwise function in scalar, 16-lane (AVX-512) and 8-lane (AVX2) form (the runtime's operator pattern).</summary>
internal interface IPointwiseOperator
{
    static abstract float Invoke(float x, float g);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> g);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> g);
}
