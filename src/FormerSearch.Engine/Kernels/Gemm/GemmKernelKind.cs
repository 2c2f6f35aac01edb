namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>The instruction set a <see cref="ManagedGemm"/> micro-kernel is written for.</summary>
internal enum GemmKernelKind
{
    /// <summary>Plain scalar code, for CPUs without FMA or 256-bit vectors.</summary>
    Scalar,

    /// <summary>AVX2 + FMA: 6×16 tiles in ymm registers.</summary>
    Vector256,

    /// <summary>AVX-512: 14×32 tiles in zmm registers.</summary>
    Vector512,
}
