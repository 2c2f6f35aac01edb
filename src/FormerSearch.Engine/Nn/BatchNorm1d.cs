namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.BatchNorm1d(C)</c> on channels-last <c>[B, C]</c> features or <c>[B, N, C]</c> tokens (PyTorch's
/// <c>[B, C, N]</c>): statistics per channel over batch and tokens. See <see cref="BatchNormBase"/>.
/// </summary>
public sealed class BatchNorm1d : BatchNormBase
{
    /// <summary>A batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">The channel count is not positive, eps is negative, or momentum is outside [0, 1].</exception>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : base(numFeatures, eps, momentum) { }

    protected override void CheckInput(Tensor x)
    {
        if ((x.Rank != 2 && x.Rank != 3) || x.Size(-1) != NumFeatures)
            throw new ArgumentException($"BatchNorm1d({NumFeatures}) needs a [B, {NumFeatures}] or [B, N, {NumFeatures}] input; got {Tensor.FormatShape(x.Shape)}.", nameof(x));
    }
}
