namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.LayerNorm(C)</c> over the last dimension: <c>(x − mean)/√(var + eps)·weight + bias</c> per row,
/// biased variance. On channels-last <c>[B, H, W, C]</c> maps this is timm's LayerNorm2d; on
/// <c>[B, N, C]</c> tokens the usual LN. Parameters <c>weight</c> (ones) and <c>bias</c> (zeros), <c>[C]</c>.
/// </summary>
public sealed class LayerNorm : NormLayer
{
    /// <summary>A layer normalising <paramref name="normalizedShape"/> channels.</summary>
    /// <exception cref="ArgumentException">The channel count is not positive or eps is negative.</exception>
    public LayerNorm(int normalizedShape, float eps = 1e-5f) : base(normalizedShape, nameof(normalizedShape), eps) =>
        NormalizedShape = normalizedShape;

    /// <summary>Number of channels C (the size of the last dimension).</summary>
    public int NormalizedShape { get; }

    /// <summary><c>[…, C]</c> → <c>[…, C]</c>.</summary>
    /// <exception cref="ArgumentException">The last dimension is not C.</exception>
    public override Tensor Forward(Tensor x) => Functional.LayerNorm(x, Weight.Value, Bias.Value, Eps);
}
