using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>A two-input pointwise function in scalar and 16-lane form (the runtime's operator pattern).</summary>
internal interface IPointwiseOperator
{
    static abstract float Invoke(float x, float g);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> g);
}
