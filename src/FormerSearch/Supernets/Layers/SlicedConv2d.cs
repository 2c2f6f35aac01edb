using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// An entangled square convolution, channels-last (weight OHWI <c>[MaxOut, k, k, MaxIn / groups]</c>, saved OIHW as
/// <see cref="Conv2d"/>'s): the active subnet uses the first <see cref="ActiveOut"/> filters over the first
/// <see cref="ActiveIn"/> input channels (official <c>PatchembedSuper</c>), or for a depthwise one the first
/// channels. A row prefix of the OHWI weight is read in place; a dense one narrowed in its input channels is copied
/// by the convolution (9·in·out floats for a 3×3).
/// </summary>
public sealed class SlicedConv2d : Layer, ISlicedLayer, ISlicedByWidth
{
    /// <summary>A <paramref name="kernel"/>×<paramref name="kernel"/> convolution of at most <paramref name="maxIn"/> → <paramref name="maxOut"/> channels (depthwise: <paramref name="maxIn"/> = <paramref name="maxOut"/> groups), drawn as <see cref="Conv2d"/> (PyTorch's default); every channel active.</summary>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public SlicedConv2d(int maxIn, int maxOut, int kernel, int stride, int padding, Generator generator, bool depthwise = false, bool bias = true)
    {
        if (maxIn < 1 || maxOut < 1 || kernel < 1 || stride < 1 || padding < 0 || (depthwise && maxIn != maxOut))
            throw new ArgumentException($"Invalid sliced convolution {maxIn} → {maxOut}, kernel {kernel}, stride {stride}, padding {padding}{(depthwise ? ", depthwise" : "")}.");
        MaxIn = maxIn;
        MaxOut = maxOut;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        IsDepthwise = depthwise;
        Weight = RegisterParameter("weight", new Parameter(maxOut, kernel, kernel, depthwise ? 1 : maxIn));
        Weight.ExternalLayout = ExternalLayout.ConvOihw;
        if (bias) Bias = RegisterParameter("bias", new Parameter(maxOut) { NoWeightDecay = true });
        Init.LinearOrConvDefault(Weight.Value, Bias?.Value, generator);
        Activate(maxIn, maxOut);
    }

    /// <summary>Largest input channels.</summary>
    public int MaxIn { get; }

    /// <summary>Largest output channels.</summary>
    public int MaxOut { get; }

    /// <summary>Kernel side.</summary>
    public int Kernel { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>One filter per channel.</summary>
    public bool IsDepthwise { get; }

    /// <summary>The whole weight, OHWI.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias, if any.</summary>
    public Parameter? Bias { get; }

    /// <summary>Active input channels.</summary>
    public int ActiveIn { get; private set; }

    /// <summary>Active output channels.</summary>
    public int ActiveOut { get; private set; }

    /// <summary>Makes the first <paramref name="inChannels"/> input and <paramref name="outChannels"/> output channels active.</summary>
    /// <exception cref="ArgumentException">A count is not in 1…its largest, or differs between input and output of a depthwise convolution.</exception>
    public void Activate(int inChannels, int outChannels)
    {
        if (inChannels < 1 || inChannels > MaxIn || outChannels < 1 || outChannels > MaxOut || (IsDepthwise && inChannels != outChannels))
            throw new ArgumentException($"A sliced convolution of at most {MaxIn} → {MaxOut} channels cannot run {inChannels} → {outChannels}.");
        ActiveIn = inChannels;
        ActiveOut = outChannels;
    }

    /// <summary>The first <paramref name="width"/> channels in and out (a depthwise convolution).</summary>
    public void Activate(int width) => Activate(width, width);

    /// <summary><c>[B, H, W, in]</c> → <c>[B, H', W', out]</c> through the active filters.</summary>
    /// <exception cref="ArgumentException">The input does not have <see cref="ActiveIn"/> channels.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(3) != ActiveIn)
            throw new ArgumentException($"This sliced convolution takes [B, H, W, {ActiveIn}]; got {Tensor.FormatShape(x.Shape)}.");
        var (weight, bias) = (ActiveWeight(), Bias?.Value.Narrow(0, 0, ActiveOut));
        // [C, k, k, 1] → [C, k, k]: a row prefix is contiguous, so this stays a view.
        return IsDepthwise
            ? Functional.DepthwiseConv2d(x, weight.Reshape(ActiveOut, Kernel, Kernel), bias, Stride, Padding)
            : Functional.Conv2d(x, weight, bias, Stride, Padding);
    }

    /// <inheritdoc/>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        yield return new ActiveTensor("weight", ActiveWeight());
        if (Bias is not null) yield return new ActiveTensor("bias", Bias.Value.Narrow(0, 0, ActiveOut));
    }

    private Tensor ActiveWeight()
    {
        var rows = Weight.Value.Narrow(0, 0, ActiveOut);
        return IsDepthwise || ActiveIn == MaxIn ? rows : rows.Narrow(3, 0, ActiveIn);
    }
}
