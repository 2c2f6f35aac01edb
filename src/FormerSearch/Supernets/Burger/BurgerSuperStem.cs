using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// The ViT-NAS stem of a BurgerFormer supernet (the zoo's <see cref="VitNasStem"/>, same names and draws): three fixed
/// 24-channel convolutions, then <c>conv_proj</c>, whose output width is the first stage's and is searched.
/// </summary>
public sealed class BurgerSuperStem : Layer
{
    private readonly ConvBnAct _conv1;
    private readonly ConvBnAct _conv2;
    private readonly ConvBnAct _conv3;
    private readonly SlicedConv2d _convProj;

    /// <summary>A stem from <paramref name="inChannels"/> through <paramref name="midChannels"/> to at most <paramref name="maxDim"/> channels.</summary>
    public BurgerSuperStem(int inChannels, int midChannels, int maxDim, Generator generator)
    {
        _conv1 = RegisterModule("conv1", new ConvBnAct(inChannels, midChannels, 2, generator));
        _conv2 = RegisterModule("conv2", new ConvBnAct(midChannels, midChannels, 1, generator));
        _conv3 = RegisterModule("conv3", new ConvBnAct(midChannels, midChannels, 1, generator));
        _convProj = RegisterModule("conv_proj", new SlicedConv2d(midChannels, maxDim, 3, 2, 1, generator));
    }

    /// <summary>Makes the first <paramref name="width"/> output channels active.</summary>
    /// <exception cref="ArgumentException">The width exceeds the largest.</exception>
    public void Activate(int width) => _convProj.Activate(_convProj.MaxIn, width);

    /// <summary>Images <c>[B, H, W, C]</c> → <c>[B, H/4, W/4, width]</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        x = _conv1.Forward(x);                                    // [B, H/2, W/2, mid]
        x = Functional.Add(_conv3.Forward(_conv2.Forward(x)), x);
        return _convProj.Forward(x);                              // [B, H/4, W/4, width]
    }
}
