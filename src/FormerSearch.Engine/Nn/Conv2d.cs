namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.Conv2d</c> on channels-last maps: <c>[B, H, W, in]</c> → <c>[B, Ho, Wo, out]</c>, zero padding.
/// The weight is held OHWI <c>[out, kh, kw, in/groups]</c> (what the GEMM-based kernel wants) and
/// exported/imported as PyTorch's OIHW <c>[out, in/groups, kh, kw]</c> (<see cref="ExternalLayout.ConvOihw"/>).
/// A depthwise convolution (<c>groups = in = out</c>) runs the depthwise kernel on a <c>[C, kh, kw]</c>
/// view of the same weight.
/// </summary>
public sealed class Conv2d : WeightedLayer
{
    /// <summary>A square-kernel convolution; weights drawn as PyTorch does when <paramref name="generator"/> is given, else zeros.</summary>
    /// <exception cref="ArgumentException">A size is not positive, padding is negative, or groups do not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), groups, bias, generator) { }

    /// <summary>A convolution with separate heights and widths; weights drawn as PyTorch does when <paramref name="generator"/> is given, else zeros.</summary>
    /// <exception cref="ArgumentException">A size is not positive, padding is negative, or groups do not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, int groups = 1, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"Conv2d needs positive channel counts, got in={inChannels}, out={outChannels}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0)
            throw new ArgumentException($"Conv2d needs a positive kernel and stride, got kernel {kernelSize} and stride {stride}.");
        if (padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"Conv2d needs a non-negative padding, got {padding}.", nameof(padding));
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d groups={groups} must be positive and divide in={inChannels} and out={outChannels}.", nameof(groups));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        RegisterWeightAndBias(new Parameter(outChannels, kernelSize.H, kernelSize.W, inChannels / groups), ExternalLayout.ConvOihw, bias);
        if (generator is not null) ResetParameters(generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride along height and width.</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding along height and width (each side).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>True when every channel is convolved on its own (<c>groups = in = out</c>).</summary>
    public bool IsDepthwise => Groups == InChannels && Groups == OutChannels && Groups > 1;

    /// <summary><c>[B, H, W, in]</c> → <c>[B, Ho, Wo, out]</c> with Ho = (H + 2·pad − kh)/stride + 1 (likewise Wo).</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, H, W, in]</c> or the kernel exceeds the padded input.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(3) != InChannels)
            throw new ArgumentException($"Conv2d({InChannels} → {OutChannels}) needs a [B, H, W, {InChannels}] input; got {Tensor.FormatShape(x.Shape)}.", nameof(x));
        if (IsDepthwise)
        {
            // [C, kh, kw, 1] → [C, kh, kw]: a view, so the gradient lands in the weight itself.
            var w = Weight.Value.Reshape(OutChannels, KernelSize.H, KernelSize.W);
            return Functional.DepthwiseConv2d(x, w, Bias?.Value, Stride, Padding);
        }
        return Functional.Conv2d(x, Weight.Value, Bias?.Value, Stride, Padding, Groups);
    }
}
