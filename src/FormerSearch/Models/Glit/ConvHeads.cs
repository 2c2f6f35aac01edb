using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// GLiT's local heads (the official <c>net</c> of <c>Conv_Attention</c> / <c>Mix_Attention</c>, a Conformer
/// convolution module without its norm): over tokens <c>[B, N, C]</c>,
/// <code>
/// pointwise C → 2·inner, GLU (first half · σ(second half)), depthwise conv1d of kernel k along the tokens
/// (same padding), BatchNorm1d, Swish (SiLU), pointwise inner → C
/// </code>
/// with <c>inner = C · e_c</c>. Children are named by their index in the official <c>nn.Sequential</c>
/// (<c>1</c>, <c>3.conv</c>, <c>4</c>, <c>6</c>; its rearranges, GLU and Swish hold nothing).
/// </summary>
public sealed class ConvHeads : Layer
{
    private readonly PointwiseConv1d _expand;
    private readonly SamePaddedConv1d _depthwise;
    private readonly BatchNorm1d _norm;
    private readonly PointwiseConv1d _project;

    /// <summary>Local heads over <paramref name="dim"/> channels, <paramref name="expansion"/> times wider inside, kernel <paramref name="kernel"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive (the layers check their own).</exception>
    public ConvHeads(int dim, int expansion, int kernel, Generator generator)
    {
        int inner = dim * expansion;
        _expand = RegisterModule("1", new PointwiseConv1d(dim, 2 * inner, generator));
        _depthwise = RegisterModule("3", new SamePaddedConv1d(inner, kernel, generator));
        _norm = RegisterModule("4", new BatchNorm1d(inner));
        _project = RegisterModule("6", new PointwiseConv1d(inner, dim, generator));
    }

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, C]</c> of this layer's width.</exception>
    public override Tensor Forward(Tensor x)
    {
        var h = Functional.Glu(_expand.Forward(x));        // [B, N, inner]
        h = _norm.Forward(_depthwise.Forward(h));           // [B, N, inner]
        return _project.Forward(Functional.Silu(h));        // [B, N, C]
    }
}
