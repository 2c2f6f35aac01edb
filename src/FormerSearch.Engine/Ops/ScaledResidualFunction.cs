using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// The forward-only residual update <c>x + scale ⊙ (a − b)</c> in one pass (<see cref="ScaledResidualKernel"/>); it records
/// nothing, so <see cref="Functional.ScaledResidual"/> uses it only when no input needs a gradient.
/// </summary>
internal static class InferenceScaledResidual
{
    /// <summary>True when the fused pass applies: <paramref name="a"/> (and <paramref name="b"/>) of <paramref name="x"/>'s shape, <paramref name="scale"/> <c>[C]</c> for x's last dimension C.</summary>
    public static bool Fits(Tensor x, Tensor a, Tensor? b, Tensor? scale) =>
        x.Rank >= 1 && a.Shape.SequenceEqual(x.Shape) && (b is null || b.Shape.SequenceEqual(x.Shape))
        && (scale is null || (scale.Rank == 1 && scale.Size(0) == x.Size(-1)));

    /// <summary><c>x + scale ⊙ (a − b)</c> as a new tensor of x's shape.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit (see <see cref="Fits"/>).</exception>
    public static Tensor Apply(Tensor x, Tensor a, Tensor? b, Tensor? scale)
    {
        if (!Fits(x, a, b, scale))
            throw new ArgumentException($"A fused residual needs a, b of x's shape {Tensor.FormatShape(x.Shape)} and a [C] scale.");
        x = x.Contiguous();
        a = a.Contiguous();
        b = b?.Contiguous();
        scale = scale?.Contiguous();
        var y = Tensor.Empty(x.Shape);
        int cols = x.Size(-1);
        int rows = cols == 0 ? 0 : x.Numel / cols;
        ScaledResidualKernel.Apply(x.Elements, a.Elements, b is null ? default : b.Elements, scale is null ? default : scale.Elements,
            y.Elements, rows, cols);
        return y;
    }
}
