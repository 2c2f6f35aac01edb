using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled patch embedding or downsampling layer (official <c>PatchembedSuper</c>; the zoo's
/// <see cref="Models.Blocks.PatchEmbed"/>): a strided <see cref="SlicedConv2d"/> named <c>proj</c>, optionally followed
/// by a <see cref="SlicedGroupNorm"/> named <c>norm</c>, of which a subnet uses the leading input and output channels.
/// </summary>
public sealed class SlicedPatchEmbed : Layer
{
    private readonly SlicedConv2d _proj;
    private readonly SlicedGroupNorm? _norm;

    /// <summary>A <paramref name="kernel"/>×<paramref name="kernel"/> convolution of at most <paramref name="maxIn"/> → <paramref name="maxOut"/> channels, PyTorch's default init, with a GroupNorm after it when <paramref name="groupNorm"/>.</summary>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public SlicedPatchEmbed(int maxIn, int maxOut, int kernel, int stride, int padding, Generator generator, bool groupNorm = false)
    {
        _proj = RegisterModule("proj", new SlicedConv2d(maxIn, maxOut, kernel, stride, padding, generator));
        if (groupNorm) _norm = RegisterModule("norm", new SlicedGroupNorm(maxOut));
    }

    /// <summary>Largest output width.</summary>
    public int MaxOut => _proj.MaxOut;

    /// <summary>Makes the first <paramref name="inChannels"/> input and <paramref name="outChannels"/> output channels active.</summary>
    /// <exception cref="ArgumentException">A count is not in 1…its largest.</exception>
    public void Activate(int inChannels, int outChannels)
    {
        _proj.Activate(inChannels, outChannels);
        _norm?.Activate(outChannels);
    }

    /// <summary><c>[B, H, W, in]</c> → <c>[B, H', W', out]</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        var y = _proj.Forward(x);
        return _norm is null ? y : _norm.Forward(y);
    }
}
