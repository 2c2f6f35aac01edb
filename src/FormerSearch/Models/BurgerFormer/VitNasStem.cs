using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The ViT-NAS convolutional stem BurgerFormer uses (official <c>ViTNASPatchEmbed</c>): a stride-2
/// <see cref="ConvBnAct"/>, two more with a residual around them, and a 3×3 stride-2 projection with bias:
/// <code>
/// x = conv1(x); x = conv3(conv2(x)) + x; x = conv_proj(x)      // [B, H, W, Cin] → [B, ⌈H/4⌉, ⌈W/4⌉, C]
/// </code>
/// For small images the projection may have stride 1 (the stem then halves once; the weights are the same).
/// </summary>
public sealed class VitNasStem : Layer
{
    private readonly ConvBnAct _conv1;
    private readonly ConvBnAct _conv2;
    private readonly ConvBnAct _conv3;
    private readonly Layer _convProj;

    /// <summary>A stem from <paramref name="inChannels"/> through <paramref name="midChannels"/> to <paramref name="embedDim"/>, its projection of stride <paramref name="projectionStride"/> (official: 2).</summary>
    /// <exception cref="ArgumentException">A channel count or the stride is not positive.</exception>
    public VitNasStem(int inChannels, int midChannels, int embedDim, Generator generator, int projectionStride = 2)
        : this(inChannels, midChannels, generator, mid => new Conv2d(mid, embedDim, 3, projectionStride, 1, generator: generator))
    {
    }

    /// <summary>
    /// A stem whose <c>conv_proj</c> <paramref name="projection"/> builds from <paramref name="midChannels"/> channels once the
    /// three convolutions are drawn: a 3×3 convolution with bias (a supernet's is sliced in its output width).
    /// </summary>
    /// <exception cref="ArgumentException">A channel count is not positive.</exception>
    public VitNasStem(int inChannels, int midChannels, Generator generator, Func<int, Layer> projection)
    {
        _conv1 = RegisterModule("conv1", new ConvBnAct(inChannels, midChannels, 2, generator));
        _conv2 = RegisterModule("conv2", new ConvBnAct(midChannels, midChannels, 1, generator));
        _conv3 = RegisterModule("conv3", new ConvBnAct(midChannels, midChannels, 1, generator));
        _convProj = RegisterModule("conv_proj", projection(midChannels));
    }

    /// <summary><c>[B, H, W, Cin]</c> → <c>[B, ⌈H/4⌉, ⌈W/4⌉, C]</c> (<c>⌈H/2⌉, ⌈W/2⌉</c> with a stride-1 projection).</summary>
    public override Tensor Forward(Tensor x) => Project(ForwardConvolutions(x));

    /// <summary>The three convolutions and their residual, before the projection: <c>[B, H, W, Cin]</c> → <c>[B, ⌈H/2⌉, ⌈W/2⌉, mid]</c>.</summary>
    public Tensor ForwardConvolutions(Tensor x)
    {
        x = _conv1.Forward(x);                                    // [B, H/2, W/2, mid]
        return Functional.Add(_conv3.Forward(_conv2.Forward(x)), x);
    }

    /// <summary>The projection <c>conv_proj</c>: <c>[B, H/2, W/2, mid]</c> → <c>[B, H/4, W/4, C]</c> (or <c>H/2, W/2</c>).</summary>
    public Tensor Project(Tensor x) => _convProj.Forward(x);
}
