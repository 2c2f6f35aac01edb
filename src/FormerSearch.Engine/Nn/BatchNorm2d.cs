namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.BatchNorm2d(C)</c> on channels-last feature maps <c>[B, H, W, C]</c>: statistics per channel over
/// batch and positions. See <see cref="BatchNormBase"/> for parameters, buffers and modes.
/// </summary>
public sealed class BatchNorm2d : BatchNormBase
{
    /// <summary>A batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">The channel count is not positive, eps is negative, or momentum is outside [0, 1].</exception>
    public BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : base(numFeatures, eps, momentum) { }

    protected override void CheckInput(Tensor x)
    {
        if (x.Rank != 4 || x.Size(3) != NumFeatures)
            throw new ArgumentException($"BatchNorm2d({NumFeatures}) needs a [B, H, W, {NumFeatures}] input; got {Tensor.FormatShape(x.Shape)}.", nameof(x));
    }
}
