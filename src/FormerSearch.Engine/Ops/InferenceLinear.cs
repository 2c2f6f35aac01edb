using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;

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
    /// <summary><c>f(x·Wᵀ + b)</c> over the last dimension of <paramref name="x"/> (<c>W</c> <c>[out, in]</c>, possibly a sub-block view).</summary>
    /// <exception cref="ArgumentException">A shape does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is neither pointwise nor None.</exception>
    public static Tensor Apply(Tensor x, Tensor w, Tensor? b, ActivationKind activation)
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
        if (rows <= RowDotGemm.MaxRows && inFeatures > 0 && !weight.Transposed)
            RowDotGemm.Multiply(rows, outFeatures, inFeatures, x.Elements, Math.Max(inFeatures, 1), weight.Data, weight.Ld, y.Elements, Math.Max(outFeatures, 1));
        else
            MatrixOperand.Multiply(LinearFunction.Rows(x, rows), weight.T, LinearFunction.Rows(y, rows), 1f, 0f);
        BiasActivationKernel.Apply(y.Elements, rows, outFeatures, b is null ? default : b.Elements, activation);
        return y;
    }
}
