using FormerSearch.Engine;

namespace FormerSearch.Supernets.Layers;

/// <summary>An entangled LayerNorm over the channels (official <c>LayerNormSuper</c>; BurgerFormer's <c>LayerNormChannel</c> channels-last).</summary>
public sealed class SlicedLayerNorm : SlicedChannelNorm
{
    /// <summary>A LayerNorm of at most <paramref name="maxChannels"/> channels, weight 1 and bias 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="maxChannels"/> is not positive.</exception>
    public SlicedLayerNorm(int maxChannels, float eps = 1e-5f) : base(maxChannels, eps) { }

    /// <inheritdoc/>
    protected override Tensor Normalize(Tensor x, Tensor weight, Tensor bias) => Functional.LayerNorm(x, weight, bias, Eps);
}
