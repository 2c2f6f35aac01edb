using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// The residual update <c>x + scale ⊙ (a − b)</c> as one op: one pass forward (<see cref="ScaledResidualKernel"/>) and,
/// when an input needs a gradient, one pass backward (<see cref="ResidualGradients"/>). A MetaFormer block runs two per
/// step (the mixer's and the MLP's); as a subtraction, a per-channel product and an addition each, they read and wrote
/// every activation and its gradient several times over and kept <c>a − b</c> and its scaled copy for the backward.
/// </summary>
internal sealed class ScaledResidualFunction : Function<ScaledResidualFunction, ScaledResidualFunction.State>
{
    internal readonly record struct State(Tensor X, Tensor A, Tensor? B, Tensor? Scale);

    /// <summary>True when the fused op applies: <paramref name="a"/> (and <paramref name="b"/>) of <paramref name="x"/>'s shape, <paramref name="scale"/> <c>[C]</c> for x's last dimension C.</summary>
    public static bool Fits(Tensor x, Tensor a, Tensor? b, Tensor? scale) =>
        x.Rank >= 1 && a.Shape.SequenceEqual(x.Shape) && (b is null || b.Shape.SequenceEqual(x.Shape))
        && (scale is null || (scale.Rank == 1 && scale.Size(0) == x.Size(-1)));

    /// <summary><c>x + scale ⊙ (a − b)</c> as a new tensor of x's shape, recorded when an input needs a gradient.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit (see <see cref="Fits"/>).</exception>
    public static Tensor Apply(Tensor x, Tensor a, Tensor? b, Tensor? scale)
    {
        x = x.Contiguous();
        a = a.Contiguous();
        b = b?.Contiguous();
        scale = scale?.Contiguous();
        if (!Fits(x, a, b, scale))
            throw new ArgumentException($"A fused residual needs a, b of x's shape {Tensor.FormatShape(x.Shape)} and a [C] scale.");
        var y = Tensor.Empty(x.Shape);
        var (rows, cols) = Rows(x);
        ScaledResidualKernel.Apply(x.Elements, a.Elements, b is null ? default : b.Elements, scale is null ? default : scale.Elements,
            y.Elements, rows, cols);
        if (Needs(x, a, b, scale)) Record(new(x, a, b, scale), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, a, b, scale) = Saved;
        var g = Dense(gradOutput);
        // Inputs may be one tensor (x + s ⊙ (a − x)) or views of one: only the first of a shared gradient asked for comes
        // back fresh, and the kernel writes each element's gradients in this same order (x, a, b), so the fresh one is
        // written before the others add into it. Views' gradients are never fresh, so overlapping views only add.
        var gx = Tape.GradToWrite(x, out bool overwriteX);
        var ga = Tape.GradToWrite(a, out bool overwriteA);
        bool overwriteB = false;
        var gb = b is null ? null : Tape.GradToWrite(b, out overwriteB);
        var gs = scale is null ? null : Tape.GradOf(scale);
        var (rows, cols) = Rows(x);
        ResidualGradients.Backward(
            new(g.Elements, a.Elements, b is null ? default : b.Elements, scale is null ? default : scale.Elements),
            new(gx?.Elements, ga?.Elements, gb?.Elements, gs?.Elements, overwriteX, overwriteA, overwriteB),
            rows, cols);
    }

    private static bool Needs(Tensor x, Tensor a, Tensor? b, Tensor? scale) =>
        Tape.Needs(x, a, b) || (scale is not null && Tape.Needs(scale));

    private static (int Rows, int Cols) Rows(Tensor x)
    {
        int cols = x.Size(-1);
        return (cols == 0 ? 0 : x.Numel / cols, cols);
    }
}
