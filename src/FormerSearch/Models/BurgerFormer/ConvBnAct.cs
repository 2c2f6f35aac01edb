using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// A bias-free 3×3 convolution (padding 1), BatchNorm and ReLU: the official BurgerFormer / ViT-NAS stem's
/// <c>ConvBnAct</c> (children <c>conv</c>, <c>bn</c>, <c>act</c>), channels-last <c>[B, H, W, Cin]</c> → <c>[B, H', W', Cout]</c>.
/// </summary>
public sealed class ConvBnAct : Layer
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;

    /// <summary>A 3×3 convolution of stride <paramref name="stride"/> from <paramref name="inChannels"/> to <paramref name="outChannels"/>, PyTorch's default init.</summary>
    /// <exception cref="ArgumentException">A channel count or the stride is not positive.</exception>
    public ConvBnAct(int inChannels, int outChannels, int stride, Generator generator)
    {
        _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false, generator: generator));
        _bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        RegisterModule("act", new Relu());   // applied with the norm (one pass at inference)
    }

    /// <summary><c>[B, H, W, Cin]</c> → <c>[B, H', W', Cout]</c>.</summary>
    public override Tensor Forward(Tensor x) => _bn.Forward(_conv.Forward(x), ActivationKind.Relu);
}
