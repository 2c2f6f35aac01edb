using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// GLiT's same-padded depthwise conv1d over tokens at its largest channels and kernel (weight <c>[C, 1, k]</c>, the
/// official <c>net.3.conv</c>). A smaller kernel is the centre crop of the largest (as OFA and AutoFormer-style
/// supernets entangle kernels; the official GLiT code has no supernet to say otherwise), the channels the leading ones:
/// both views, so cost and gradients stay in the active taps. Kernels must share the largest one's parity so the crop
/// stays centred under GLiT's same padding.
/// </summary>
public sealed class SlicedDepthwiseConv1d : Layer, ISlicedLayer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>A convolution of at most <paramref name="maxChannels"/> channels and kernel <paramref name="maxKernel"/>, drawn as <c>nn.Conv1d</c>; all of it active.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public SlicedDepthwiseConv1d(int maxChannels, int maxKernel, Generator generator)
    {
        if (maxChannels < 1 || maxKernel < 1) throw new ArgumentException($"A sliced depthwise conv1d needs positive sizes; got {maxChannels} channels, kernel {maxKernel}.");
        MaxChannels = maxChannels;
        MaxKernel = maxKernel;
        _weight = RegisterParameter("weight", new Parameter(maxChannels, 1, maxKernel));
        _bias = RegisterParameter("bias", new Parameter(maxChannels));
        Init.LinearOrConvDefault(_weight.Value, _bias.Value, generator);
        Activate(maxChannels, maxKernel);
    }

    /// <summary>Largest channel count.</summary>
    public int MaxChannels { get; }

    /// <summary>Largest kernel.</summary>
    public int MaxKernel { get; }

    /// <summary>Active channels.</summary>
    public int ActiveChannels { get; private set; }

    /// <summary>Active kernel, the centre of the largest.</summary>
    public int ActiveKernel { get; private set; }

    /// <summary>Makes the first <paramref name="channels"/> channels and the centre <paramref name="kernel"/> taps active.</summary>
    /// <exception cref="ArgumentException">The channels exceed the largest, or the kernel is larger than the largest or of the other parity.</exception>
    public void Activate(int channels, int kernel)
    {
        if (channels < 1 || channels > MaxChannels) throw new ArgumentException($"A sliced depthwise conv1d of {MaxChannels} channels cannot run {channels}.");
        if (kernel < 1 || kernel > MaxKernel || (MaxKernel - kernel) % 2 != 0)
            throw new ArgumentException($"Kernel {kernel} is not a centre crop of the sliced kernel {MaxKernel}.");
        ActiveChannels = channels;
        ActiveKernel = kernel;
    }

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c> with the active taps, zero "same" padding (<c>k/2</c> before, <c>k/2 − (k+1) mod 2</c> after).</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, ActiveChannels]</c>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Size(2) != ActiveChannels)
            throw new ArgumentException($"This sliced depthwise conv1d takes [B, N, {ActiveChannels}]; got {Tensor.FormatShape(x.Shape)}.");
        int kernel = ActiveKernel;
        var w = _weight.Value.Reshape(MaxChannels, MaxKernel).Block(0, ActiveChannels, (MaxKernel - kernel) / 2, kernel);
        int n = x.Size(1), padLeft = kernel / 2, padRight = kernel / 2 - (kernel + 1) % 2;
        // The engine pads both ends alike: pad by the larger side, then keep the outputs the official padding yields.
        int pad = Math.Max(padLeft, padRight);
        var y = Functional.DepthwiseConv1d(x, w, _bias.Value.Narrow(0, 0, ActiveChannels), pad);   // [B, N + 2·pad − k + 1, C]
        return y.Size(1) == n ? y : y.Narrow(1, pad - padLeft, n);
    }

    /// <inheritdoc/>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        yield return new ActiveTensor("weight", _weight.Value.Narrow(0, 0, ActiveChannels).Narrow(2, (MaxKernel - ActiveKernel) / 2, ActiveKernel));
        yield return new ActiveTensor("bias", _bias.Value.Narrow(0, 0, ActiveChannels));
    }
}
