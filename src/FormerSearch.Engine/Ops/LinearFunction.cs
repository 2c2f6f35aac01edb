using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Gemm;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>y = x·Wᵀ + b</c> over the last dimension of <c>x</c>, as <c>torch.nn.functional.linear</c>:
/// one GEMM over all leading positions. <c>W</c> (<c>[out, in]</c>) may be a sub-block view of a
/// larger weight, as in a supernet: its gradient then lands in that block of the shared gradient.
/// </summary>
internal sealed class LinearFunction : Function<LinearFunction, LinearFunction.State>
{
    internal readonly record struct State(Tensor X, Tensor W, Tensor? B);

    public static Tensor Apply(Tensor x, Tensor w, Tensor? b)
    {
        Validate(x, w, b);
        int outFeatures = w.Size(0), inFeatures = w.Size(1);
        x = x.Contiguous();
        if (MatrixOperand.TryOf(w) is null) w = w.Contiguous();
        if (b is not null) b = b.Contiguous();

        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[^1] = outFeatures;
        var y = Tensor.Empty(shape);
        int rows = x.Numel / Math.Max(inFeatures, 1);
        if (inFeatures == 0) rows = y.Numel / Math.Max(outFeatures, 1);
        MatrixOperand.Multiply(Rows(x, rows), MatrixOperand.TryOf(w)!.Value.T, Rows(y, rows), 1f, 0f);
        // The bias after the product, split over threads by rows (copying it into every row first ran on one thread).
        if (b is not null) BiasActivationKernel.Apply(y.Elements, rows, outFeatures, b.Elements, ActivationKind.None);

        if (Tape.Needs(x, w, b)) Record(new(x, w, b), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, weight, bias) = Saved;
        int outFeatures = weight.Size(0);
        int rows = gradOutput.Numel / Math.Max(outFeatures, 1);
        var gy = Rows(gradOutput, rows);
        var w = MatrixOperand.TryOf(weight)!.Value;
        if (Tape.GradToWrite(x, out bool overwrite) is { } gx)
            MatrixOperand.Multiply(gy, w, Rows(gx, rows), 1f, overwrite ? 0f : 1f);
        if (Tape.GradToWrite(weight, out bool overwriteW) is { } gw)
            MatrixOperand.Multiply(gy.T, Rows(x, rows), MatrixOperand.TryOf(gw)!.Value, 1f, overwriteW ? 0f : 1f);
        // The sum over rows as every bias gradient takes it (fixed chunks of rows added in chunk order: any thread count).
        if (bias is not null && Tape.GradOf(bias) is { } gb) BinaryFunction.Accumulate(gradOutput, gb);
    }

    /// <summary>Checks that <paramref name="w"/> is <c>[out, in]</c>, <paramref name="x"/> ends in <c>in</c> and <paramref name="b"/> is <c>[out]</c>.</summary>
    /// <exception cref="ArgumentException">A shape does not fit.</exception>
    internal static void Validate(Tensor x, Tensor w, Tensor? b)
    {
        if (w.Rank != 2) throw new ArgumentException($"Linear weight must be [out, in]; got {Tensor.FormatShape(w.Shape)}.");
        int outFeatures = w.Size(0), inFeatures = w.Size(1);
        if (x.Rank < 1 || x.Size(-1) != inFeatures)
            throw new ArgumentException($"Linear with weight {Tensor.FormatShape(w.Shape)} cannot take input {Tensor.FormatShape(x.Shape)} (last size must be {inFeatures}).");
        if (b is not null && (b.Rank != 1 || b.Size(0) != outFeatures))
            throw new ArgumentException($"Linear bias must be [{outFeatures}]; got {Tensor.FormatShape(b.Shape)}.");
    }

    /// <summary>A contiguous tensor seen as a <c>rows × lastDim</c> matrix.</summary>
    internal static MatrixOperand Rows(Tensor t, int rows)
    {
        int cols = t.Size(-1);
        return new MatrixOperand(t.Elements, rows, cols, Math.Max(cols, 1), false);
    }
}
