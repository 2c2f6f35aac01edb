using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// A linear layer and its activation as one forward-only op, <c>y = f(x·Wᵀ + b)</c>, for passes that need no gradient
/// (as ONNX Runtime fuses GEMM, bias and activation): the product is written once by the GEMM and finished in place by
/// one bias-and-activation pass, instead of a bias copy, a GEMM reading it back and a separate activation pass. A few
/// rows (a batch-1 head or a 1×1 map) take <see cref="RowDotGemm"/>, which skips packing the weight. It records
/// nothing: <see cref="Functional.Linear"/> and <see cref="Functional.LinearActivation"/> use it only when no input
/// needs a gradient.
/// </summary>
internal static class InferenceLinear
{
    // Output floats per chunk (4 MB): the chunk and its input rows stay in the L3 cache between the GEMM and its epilogue.
    private const int ChunkFloats = 1 << 20;

    // Weights up to this many floats multiply faster in the managed GEMM (no zero fill of C for beta = 0; DeiT-Tiny's
    // 192-wide layers 6–8 % faster at batch 1 and 64); OpenBLAS was ahead on PoolFormer-S12's 320→1280 and 512→2048
    // layers at batch 1 (~5 %).
    private const long ManagedWeightFloats = 256 * 1024;

    /// <summary><c>f(x·Wᵀ + b)</c> over the last dimension of <paramref name="x"/> (<c>W</c> <c>[out, in]</c>, possibly a sub-block view).</summary>
    /// <exception cref="ArgumentException">A shape does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is neither pointwise nor None.</exception>
    public static unsafe Tensor Apply(Tensor x, Tensor w, Tensor? b, ActivationKind activation)
    {
        LinearFunction.Validate(x, w, b);
        int outFeatures = w.Size(0), inFeatures = w.Size(1);
        x = x.Contiguous();
        if (MatrixOperand.TryOf(w) is null) w = w.Contiguous();
        var weight = MatrixOperand.TryOf(w)!.Value;
        if (b is not null) b = b.Contiguous();

        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[^1] = outFeatures;
        var y = Tensor.Empty(shape);
        int rows = inFeatures == 0 ? y.Numel / Math.Max(outFeatures, 1) : x.Numel / inFeatures;
        var bias = b is null ? default : b.Elements;
        if (InferenceLinearTiles.Suits(rows, inFeatures, outFeatures))
        {
            InferenceLinearTiles.Apply(x.Elements, rows, inFeatures, weight, bias, activation, y.Elements, outFeatures);
            return y;
        }
        if (rows <= RowDotGemm.MaxRows && inFeatures > 0 && !weight.Transposed)
        {
            RowDotGemm.Multiply(rows, outFeatures, inFeatures, x.Elements, Math.Max(inFeatures, 1), weight.Data, weight.Ld, y.Elements, Math.Max(outFeatures, 1));
            BiasActivationKernel.Apply(y.Elements, rows, outFeatures, bias, activation);
            return y;
        }
        // A large output in chunks of rows, each finished while it is still in the L3 cache: the GEMM's own zero fill
        // (OpenBLAS, beta = 0), its accumulation and the bias-and-activation pass then stop running at memory speed.
        int chunkRows = Math.Max(1, ChunkFloats / Math.Max(outFeatures, 1));
        // Inside a ConstantWeights scope the weight is packed once (any size: without the packing of B the managed GEMM
        // keeps up with OpenBLAS on the large layers too, and one thread pool serves the whole pass); else per call.
        float* packed = ConstantWeights.PackedTranspose(w, weight, Gemm.Managed);
        var provider = (long)inFeatures * outFeatures <= ManagedWeightFloats ? Gemm.Managed : null;
        for (int first = 0; first < rows; first += chunkRows)
        {
            int count = Math.Min(chunkRows, rows - first);
            var xs = x.Elements.Slice(first * inFeatures, count * inFeatures);
            var chunk = y.Elements.Slice(first * outFeatures, count * outFeatures);
            if (packed != null)
            {
                fixed (float* a = xs.AsSpan(), c = chunk.AsSpan())
                    Gemm.Managed.MultiplyPackedB(count, outFeatures, inFeatures, a, Math.Max(inFeatures, 1), packed, 0f, c, Math.Max(outFeatures, 1));
            }
            else
            {
                MatrixOperand.Multiply(new MatrixOperand(xs, count, inFeatures, Math.Max(inFeatures, 1), false), weight.T,
                    new MatrixOperand(chunk, count, outFeatures, Math.Max(outFeatures, 1), false), 1f, 0f, provider);
            }
            BiasActivationKernel.Apply(chunk, count, outFeatures, bias, activation);
        }
        return y;
    }
}
