using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// <c>nn.Conv1d(C, C, k, groups=C)</c> along the tokens of channels-last <c>[B, N, C]</c>, after zero padding of
/// <see cref="PadLeft"/> and <see cref="PadRight"/> tokens (the official GLiT <c>F.pad</c>): output length
/// <c>N + PadLeft + PadRight − k + 1</c>. The weight is held in PyTorch's layout <c>[C, 1, k]</c> (row-major the
/// engine's <c>[C, k]</c>); initialised as <c>nn.Conv1d</c> (kaiming_uniform with a = √5, bias U(±1/√k)).
/// </summary>
public sealed class DepthwiseConv1d : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>A depthwise convolution of kernel <paramref name="kernel"/> over <paramref name="channels"/> channels.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a padding is negative.</exception>
    public DepthwiseConv1d(int channels, int kernel, int padLeft, int padRight, Generator generator)
    {
        if (channels < 1 || kernel < 1 || padLeft < 0 || padRight < 0)
            throw new ArgumentException($"Invalid depthwise Conv1d: {channels} channels, kernel {kernel}, padding ({padLeft}, {padRight}).");
        Channels = channels;
        Kernel = kernel;
        PadLeft = padLeft;
        PadRight = padRight;
        _weight = RegisterParameter("weight", new Parameter(channels, 1, kernel));
        _bias = RegisterParameter("bias", new Parameter(channels));
        Init.LinearOrConvDefault(_weight.Value, _bias.Value, generator);
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Kernel length.</summary>
    public int Kernel { get; }

    /// <summary>Zero tokens before the sequence.</summary>
    public int PadLeft { get; }

    /// <summary>Zero tokens after the sequence.</summary>
    public int PadRight { get; }

    /// <summary><c>[B, N, C]</c> → <c>[B, N + PadLeft + PadRight − k + 1, C]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, C]</c> or is shorter than the kernel once padded.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Size(2) != Channels)
            throw new ArgumentException($"A depthwise Conv1d over {Channels} channels takes [B, N, {Channels}]; got {Tensor.FormatShape(x.Shape)}.");
        int n = x.Size(1), outLength = n + PadLeft + PadRight - Kernel + 1;
        if (outLength < 1)
            throw new ArgumentException($"A sequence of {n} tokens padded by ({PadLeft}, {PadRight}) is shorter than the kernel {Kernel}.");
        // The engine pads both ends alike: pad by the larger side, then keep the outputs the official padding yields.
        int pad = Math.Max(PadLeft, PadRight);
        var y = Functional.DepthwiseConv1d(x, _weight.Value.Reshape(Channels, Kernel), _bias.Value, pad);   // [B, N + 2·pad − k + 1, C]
        return y.Size(1) == outLength ? y : y.Narrow(1, pad - PadLeft, outLength);
    }
}
