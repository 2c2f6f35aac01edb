using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// GLiT's <c>DepthWiseConv1d</c> wrapper: "same" zero padding (<c>calc_same_padding</c>: <c>k/2</c> before and
/// <c>k/2 − (k+1) mod 2</c> after, so N tokens stay N for any k, also when k exceeds N) around a depthwise
/// <see cref="DepthwiseConv1d"/> held as its child <c>conv</c>, as the official state dict names it.
/// </summary>
public sealed class SamePaddedConv1d : Layer
{
    private readonly DepthwiseConv1d _conv;

    /// <summary>A same-length depthwise convolution of kernel <paramref name="kernel"/> over <paramref name="channels"/> channels.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public SamePaddedConv1d(int channels, int kernel, Generator generator)
    {
        if (kernel < 1) throw new ArgumentException($"The convolution kernel must be at least 1; got {kernel}.");
        _conv = RegisterModule("conv", new DepthwiseConv1d(channels, kernel, kernel / 2, kernel / 2 - (kernel + 1) % 2, generator));
    }

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, C]</c> of this layer's channels.</exception>
    public override Tensor Forward(Tensor x) => _conv.Forward(x);
}
