using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <see cref="InferenceLinear"/> for many rows and a small weight (PoolFormer's and the MetaFormers' 1×1 MLPs at 56×56 and
/// 28×28): blocks of rows are multiplied on each thread without packing (<see cref="ManagedGemm.SgemmUnpacked"/>, the
/// weight transposed once per call) and finished by bias and activation while the block is still in L2. One large GEMM
/// followed by a bias-and-activation pass writes the output three times — OpenBLAS zero-fills C before it accumulates
/// for <c>beta = 0</c> — and each pass over a batch-64 activation (up to 200 MB) runs at memory speed. Blocks are fixed
/// by the shape alone, so results are the same for any thread count.
/// </summary>
internal static class InferenceLinearTiles
{
    // Output floats of one block (~128 KB): the block, its input rows and the transposed weight stay in L2.
    private const int BlockFloats = 32 * 1024;

    // A larger weight reuses each input float enough that one packed GEMM is compute-bound.
    private const int MaxWeightFloats = 64 * 1024;

    /// <summary>Whether a product of <paramref name="rows"/> rows with an <c>[outFeatures, inFeatures]</c> weight takes blocks.</summary>
    public static bool Suits(int rows, int inFeatures, int outFeatures) =>
        inFeatures > 0 && (long)inFeatures * outFeatures <= MaxWeightFloats && (long)rows * outFeatures >= 4L * BlockFloats;

    /// <summary><c>y = f(x·Wᵀ + b)</c> for dense <c>x</c> <c>[rows, in]</c> and <c>y</c> <c>[rows, out]</c>; <paramref name="bias"/> empty for none.</summary>
    public static void Apply(FloatSlice x, int rows, int inFeatures, MatrixOperand weight, FloatSlice bias, ActivationKind activation,
        FloatSlice y, int outFeatures)
    {
        int blockRows = Math.Max(16, BlockFloats / Math.Max(inFeatures, outFeatures));
        int blocks = (rows + blockRows - 1) / blockRows;
        float[] transposed = BufferPool.Rent(inFeatures * outFeatures);
        try
        {
            // Wᵀ [in, out] row-major: every block reads it as an unpacked B.
            var wt = transposed.AsSpan(0, inFeatures * outFeatures);
            Transpose(weight, inFeatures, outFeatures, wt);
            ParallelRunner.For(blocks, 1, new BlocksBody(x, rows, inFeatures, new FloatSlice(transposed, 0, wt.Length), bias, activation, y, outFeatures, blockRows));
        }
        finally
        {
            BufferPool.Return(transposed);
        }
    }

    /// <summary><c>wt[i, o] = W[o, i]</c> for the <c>[out, in]</c> weight, stored either way.</summary>
    private static void Transpose(in MatrixOperand weight, int inFeatures, int outFeatures, Span<float> wt)
    {
        var w = weight.Data;
        for (int o = 0; o < outFeatures; o++)
        {
            for (int i = 0; i < inFeatures; i++)
                wt[i * outFeatures + o] = weight.Transposed ? w[i * weight.Ld + o] : w[o * weight.Ld + i];
        }
    }

    private readonly struct BlocksBody(FloatSlice x, int rows, int inFeatures, FloatSlice wt, FloatSlice bias, ActivationKind activation,
        FloatSlice y, int outFeatures, int blockRows) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int block = start; block < end; block++)
            {
                int first = block * blockRows, count = Math.Min(blockRows, rows - first);
                var output = y.AsSpan(first * outFeatures, count * outFeatures);
                ManagedGemm.Instance.SgemmUnpacked(false, false, count, outFeatures, inFeatures, 1f,
                    x.AsSpan(first * inFeatures, count * inFeatures), inFeatures, wt.AsSpan(), outFeatures, 0f, output, outFeatures);
                BiasActivationKernel.ApplyRows(output, outFeatures, bias.Length == 0 ? default : bias.AsSpan(), activation);
            }
        }
    }
}
