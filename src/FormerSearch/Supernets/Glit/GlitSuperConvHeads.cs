using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// GLiT's local heads (the zoo's <see cref="Models.Blocks.ConvHeads"/>: pointwise C → 2·inner, GLU, same-padded
/// depthwise conv1d, BatchNorm1d, Swish, pointwise inner → C) at the largest expansion and kernel, children named as
/// the official <c>net</c> (<c>1</c>, <c>3.conv</c>, <c>4</c>, <c>6</c>). A smaller inner width uses inner channels
/// <c>[0, inner)</c> throughout: the GLU's value rows <c>[0, inner)</c> and its gate rows <c>[max, max + inner)</c> of
/// the first pointwise weight (so each inner channel keeps its own gate across subnets), the leading depthwise
/// channels (centre-cropped kernel), BatchNorm channels and input columns of the last pointwise weight.
/// </summary>
public sealed class GlitSuperConvHeads : Module
{
    private readonly SlicedLinear _expand;
    private readonly SlicedDepthwiseConv1d _depthwise;
    private readonly SlicedBatchNorm _norm;
    private readonly SlicedLinear _project;

    /// <summary>Local heads over <paramref name="dim"/> channels, at most <paramref name="maxExpansion"/> times wider inside, kernel at most <paramref name="maxKernel"/>; all of it active.</summary>
    /// <exception cref="ArgumentException">A size is not positive (the layers check their own).</exception>
    public GlitSuperConvHeads(int dim, int maxExpansion, int maxKernel, Generator generator)
    {
        Dim = dim;
        int maxInner = dim * maxExpansion;
        _expand = RegisterModule("1", new SlicedLinear(dim, maxInner, generator, SlicedInit.TorchDefault, parts: 2, weightLayout: LinearWeightLayout.Conv1d));
        _depthwise = RegisterModule("3", new DepthwiseHolder(maxInner, maxKernel, generator)).Conv;
        _norm = RegisterModule("4", new SlicedBatchNorm(maxInner));
        _project = RegisterModule("6", new SlicedLinear(maxInner, dim, generator, SlicedInit.TorchDefault, weightLayout: LinearWeightLayout.Conv1d));
    }

    /// <summary>Input and output channels.</summary>
    public int Dim { get; }

    /// <summary>Makes inner width <c>Dim · <paramref name="expansion"/></c> and kernel <paramref name="kernel"/> active.</summary>
    /// <exception cref="ArgumentException">The expansion or kernel is larger than the largest, or the kernel of the other parity.</exception>
    public void Activate(int expansion, int kernel)
    {
        int inner = Dim * expansion;
        _expand.Activate(Dim, inner);
        _depthwise.Activate(inner, kernel);
        _norm.Activate(inner);
        _project.Activate(inner, Dim);
    }

    /// <summary><c>[B, N, Dim]</c> → <c>[B, N, Dim]</c> through the active inner width and kernel.</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor h;
        if (_expand.IsOneBlock)
        {
            h = Functional.Glu(_expand.Forward(x));                             // the whole weight: one GEMM, as the standalone model
        }
        else
        {
            x = x.Contiguous();                                                 // read by two GEMMs: copy a narrowed input once
            var value = _expand.Part(x, 0);                                     // [B, N, inner]
            var gate = _expand.Part(x, 1);                                      // [B, N, inner]
            h = Functional.Mul(value, Functional.Sigmoid(gate));                // GLU
        }
        h = _norm.Forward(_depthwise.Forward(h));                               // [B, N, inner]
        return _project.Forward(Functional.Silu(h));                            // [B, N, Dim]
    }

    /// <summary>The official <c>DepthWiseConv1d</c> wrapper: holds the convolution as its child <c>conv</c>.</summary>
    private sealed class DepthwiseHolder : Module
    {
        public DepthwiseHolder(int channels, int kernel, Generator generator) =>
            Conv = RegisterModule("conv", new SlicedDepthwiseConv1d(channels, kernel, generator));

        public SlicedDepthwiseConv1d Conv { get; }
    }
}
