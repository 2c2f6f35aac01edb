using FormerSearch.Engine.Kernels.Pooling;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// The forward-only PoolFormer mixer residual <c>x + scale ⊙ (avgpool3x3(n) − n)</c> in one pass
/// (<see cref="PoolResidualKernel"/>); it records nothing, so <see cref="Functional.PoolResidual"/> uses it only when no
/// input needs a gradient.
/// </summary>
internal static class InferencePoolResidual
{
    /// <summary>True when the fused pass applies: <paramref name="x"/> <c>[B, H, W, C]</c>, <paramref name="normed"/> of its shape, <paramref name="scale"/> <c>[C]</c> or null.</summary>
    public static bool Fits(Tensor x, Tensor normed, Tensor? scale) =>
        x.Rank == 4 && normed.Shape.SequenceEqual(x.Shape) && (scale is null || (scale.Rank == 1 && scale.Size(0) == x.Size(3)));

    /// <summary><c>x + scale ⊙ (avgpool3x3(normed) − normed)</c> as a new tensor of x's shape.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit (see <see cref="Fits"/>).</exception>
    public static Tensor Apply(Tensor x, Tensor normed, Tensor? scale)
    {
        if (!Fits(x, normed, scale))
            throw new ArgumentException($"A pooling residual needs x [B, H, W, C], the normed map of its shape and a [C] scale; got {Tensor.FormatShape(x.Shape)} and {Tensor.FormatShape(normed.Shape)}.");
        x = x.Contiguous();
        normed = normed.Contiguous();
        scale = scale?.Contiguous();
        var y = Tensor.Empty(x.Shape);
        PoolResidualKernel.Apply(x.Elements, normed.Elements, scale is null ? default : scale.Elements, y.Elements, x.Size(0), x.Size(1), x.Size(2), x.Size(3));
        return y;
    }
}
