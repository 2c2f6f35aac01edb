using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// Patch embedding / downsampling by one strided convolution (<c>proj</c>), as PoolFormer's and timm's
/// <c>PatchEmbed</c>: channels-last <c>[B, H, W, Cin]</c> → <c>[B, H', W', Cout]</c>, optionally followed by a
/// norm (<c>norm</c>, as BurgerFormer's downsampling with <c>norm_layer=GroupNorm</c>). PyTorch's default
/// convolution init (kaiming_uniform, a = √5), which the official codebases keep for this layer.
/// </summary>
public sealed class PatchEmbed : Layer
{
    private readonly Conv2d _proj;
    private readonly Layer? _norm;

    /// <summary>A <paramref name="patchSize"/>×<paramref name="patchSize"/> convolution of stride <paramref name="stride"/> and zero padding <paramref name="padding"/>, then <paramref name="norm"/> (none by default).</summary>
    /// <exception cref="ArgumentException">A size is not positive or the padding is negative.</exception>
    public PatchEmbed(int inChannels, int embedDim, int patchSize, int stride, int padding, Generator generator, NormKind norm = NormKind.None)
    {
        if (inChannels < 1 || embedDim < 1 || patchSize < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"Invalid patch embedding {inChannels} → {embedDim}, kernel {patchSize}, stride {stride}, padding {padding}.");
        _proj = RegisterModule("proj", new Conv2d(inChannels, embedDim, patchSize, stride, padding, generator: generator));
        // The official Identity norm has no state, so nothing is registered for it.
        if (norm != NormKind.None) _norm = RegisterModule("norm", Layers.Norm(norm, embedDim));
    }

    /// <summary><c>[B, H, W, Cin]</c> → <c>[B, H', W', Cout]</c>.</summary>
    public override Tensor Forward(Tensor x) => _norm is null ? _proj.Forward(x) : _norm.Forward(_proj.Forward(x));
}
