using FormerSearch.Engine;

namespace FormerSearch.Supernets.Layers;

/// <summary>An entangled one-group GroupNorm (<c>GroupNorm(1, C)</c>, PoolFormer's and BurgerFormer's): statistics over all positions and the active channels.</summary>
public sealed class SlicedGroupNorm : SlicedChannelNorm
{
    /// <summary>A GroupNorm(1, ·) of at most <paramref name="maxChannels"/> channels, weight 1 and bias 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="maxChannels"/> is not positive.</exception>
    public SlicedGroupNorm(int maxChannels, float eps = 1e-5f) : base(maxChannels, eps) { }

    /// <inheritdoc/>
    protected override Tensor Normalize(Tensor x, Tensor weight, Tensor bias) => Functional.GroupNorm1(x, weight, bias, Eps);
}
