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
    private readonly GlitSuperLinear _expand;
    private readonly GlitSuperDepthwiseConv1d _depthwise;
    private readonly SlicedBatchNorm _norm;
    private readonly GlitSuperLinear _project;

    /// <summary>Local heads over <paramref name="dim"/> channels, at most <paramref name="maxExpansion"/> times wider inside, kernel at most <paramref name="maxKernel"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public GlitSuperConvHeads(int dim, int maxExpansion, int maxKernel, Generator generator)
    {
        if (dim < 1 || maxExpansion < 1 || maxKernel < 1)
            throw new ArgumentException($"GLiT super conv heads need positive sizes; got width {dim}, expansion {maxExpansion}, kernel {maxKernel}.");
        Dim = dim;
        MaxInner = dim * maxExpansion;
        _expand = RegisterModule("1", new GlitSuperLinear(dim, 2 * MaxInner, pointwiseConv: true, generator));
        _depthwise = RegisterModule("3", new DepthwiseHolder(MaxInner, maxKernel, generator)).Conv;
        _norm = RegisterModule("4", new SlicedBatchNorm(MaxInner));
        _project = RegisterModule("6", new GlitSuperLinear(MaxInner, dim, pointwiseConv: true, generator));
    }

    /// <summary>Input and output channels.</summary>
    public int Dim { get; }

    /// <summary>Largest inner width.</summary>
    public int MaxInner { get; }

    /// <summary><c>[B, N, Dim]</c> → <c>[B, N, Dim]</c> at inner width <c>Dim · <paramref name="expansion"/></c> and kernel <paramref name="kernel"/>.</summary>
    public Tensor Forward(Tensor x, int expansion, int kernel)
    {
        int inner = Dim * expansion;
        Tensor h;
        if (inner == MaxInner)
        {
            h = Functional.Glu(_expand.Forward(x, 0, 2 * inner));               // the whole weight: one GEMM, as the standalone model
        }
        else
        {
            x = x.Contiguous();                                                 // read by two GEMMs: copy a narrowed input once
            var value = _expand.Forward(x, 0, inner);                           // [B, N, inner]
            var gate = _expand.Forward(x, MaxInner, inner);                     // [B, N, inner]
            h = Functional.Mul(value, Functional.Sigmoid(gate));                // GLU
        }
        h = _norm.Forward(_depthwise.Forward(h, kernel));                       // [B, N, inner]
        return _project.Forward(Functional.Silu(h), 0, Dim);                    // [B, N, Dim]
    }

    /// <summary>Copies the active slices into the zoo's <c>net</c> tensors named <paramref name="prefix"/><c>1.weight</c>, ….</summary>
    public void CopyInto(IReadOnlyDictionary<string, Tensor> target, string prefix, int expansion, int kernel)
    {
        int inner = Dim * expansion;
        var (value, valueBias) = _expand.Slice(0, inner, Dim);
        var (gate, gateBias) = _expand.Slice(MaxInner, inner, Dim);
        var w1 = target[prefix + "1.weight"].Reshape(2 * inner, Dim);
        w1.Narrow(0, 0, inner).CopyFrom(value);
        w1.Narrow(0, inner, inner).CopyFrom(gate);
        target[prefix + "1.bias"].Narrow(0, 0, inner).CopyFrom(valueBias);
        target[prefix + "1.bias"].Narrow(0, inner, inner).CopyFrom(gateBias);
        var (dw, dwBias) = _depthwise.Slice(inner, kernel);
        target[prefix + "3.conv.weight"].Reshape(inner, kernel).CopyFrom(dw);
        target[prefix + "3.conv.bias"].CopyFrom(dwBias);
        var active = new Dictionary<string, Tensor>();
        _norm.ActiveState(prefix + "4.", inner, active);
        foreach (var (name, slice) in active) target[name].CopyFrom(slice);
        var (w2, b2) = _project.Slice(0, Dim, inner);
        target[prefix + "6.weight"].Reshape(Dim, inner).CopyFrom(w2);
        target[prefix + "6.bias"].CopyFrom(b2);
    }

    /// <summary>The official <c>DepthWiseConv1d</c> wrapper: holds the convolution as its child <c>conv</c>.</summary>
    private sealed class DepthwiseHolder : Module
    {
        public DepthwiseHolder(int channels, int kernel, Generator generator) =>
            Conv = RegisterModule("conv", new GlitSuperDepthwiseConv1d(channels, kernel, generator));

        public GlitSuperDepthwiseConv1d Conv { get; }
    }
}
