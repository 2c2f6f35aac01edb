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
/// channels (centre-cropped kernel), BatchNorm channels and input columns of the last pointwise weight. Fewer
/// channels than <see cref="MaxDim"/> (heads whose splits share weights) are the last ones, where they lie in the
/// token: the first pointwise weight's last columns and the last one's last rows, so a channel keeps its weights.
/// </summary>
public sealed class GlitSuperConvHeads : Module
{
    private readonly SlicedLinear _expand;
    private readonly SlicedDepthwiseConv1d _depthwise;
    private readonly SlicedBatchNorm _norm;
    private readonly SlicedLinear _project;

    /// <summary>Local heads over at most <paramref name="maxDim"/> channels, at most <paramref name="maxExpansion"/> times wider inside, kernel at most <paramref name="maxKernel"/>; all of it active.</summary>
    /// <exception cref="ArgumentException">A size is not positive (the layers check their own).</exception>
    public GlitSuperConvHeads(int maxDim, int maxExpansion, int maxKernel, Generator generator)
    {
        MaxDim = Dim = maxDim;
        int maxInner = maxDim * maxExpansion;
        _expand = RegisterModule("1", new SlicedLinear(maxDim, maxInner, generator, SlicedInit.TorchDefault, parts: 2, weightLayout: LinearWeightLayout.Conv1d));
        _depthwise = RegisterModule("3", new DepthwiseHolder(maxInner, maxKernel, generator)).Conv;
        _norm = RegisterModule("4", new SlicedBatchNorm(maxInner));
        _project = RegisterModule("6", new SlicedLinear(maxInner, maxDim, generator, SlicedInit.TorchDefault, weightLayout: LinearWeightLayout.Conv1d));
    }

    /// <summary>Largest input and output channels.</summary>
    public int MaxDim { get; }

    /// <summary>Active input and output channels.</summary>
    public int Dim { get; private set; }

    /// <summary>Makes <paramref name="dim"/> channels (the last ones), inner width <c>dim · <paramref name="expansion"/></c> and kernel <paramref name="kernel"/> active.</summary>
    /// <exception cref="ArgumentException">A size is larger than the largest, or the kernel of the other parity.</exception>
    public void Activate(int dim, int expansion, int kernel)
    {
        int inner = dim * expansion, first = MaxDim - dim;
        _expand.ActivateWindow(first, dim, 0, inner);
        _depthwise.Activate(inner, kernel);
        _norm.Activate(inner);
        _project.ActivateWindow(0, inner, first, dim);
        Dim = dim;
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
