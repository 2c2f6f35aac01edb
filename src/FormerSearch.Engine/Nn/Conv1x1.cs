namespace FormerSearch.Engine.Nn;

/// <summary>
/// A 1×1 <c>nn.Conv2d</c> run as a Linear over the channels of channels-last features <c>[…, in]</c> → <c>[…, out]</c>
/// (one GEMM; PoolFormer's MLP). The weight is held <c>[out, in]</c> and exported/imported as PyTorch's
/// <c>[out, in, 1, 1]</c> (<see cref="ExternalLayout.LinearAsConv1x1"/>); initialised as <c>nn.Conv2d</c> with k = 1.
/// </summary>
public sealed class Conv1x1 : WeightedLayer
{
    /// <summary>A 1×1 convolution; weights drawn as PyTorch does when <paramref name="generator"/> is given, else zeros.</summary>
    /// <exception cref="ArgumentException">A channel count is not positive.</exception>
    public Conv1x1(int inChannels, int outChannels, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"Conv1x1 needs positive channel counts, got in={inChannels}, out={outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        RegisterWeightAndBias(new Parameter(outChannels, inChannels), ExternalLayout.LinearAsConv1x1, bias);
        if (generator is not null) ResetParameters(generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary><c>[…, in]</c> → <c>[…, out]</c>.</summary>
    /// <exception cref="ArgumentException">The last dimension is not <c>in</c>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Size(-1) != InChannels)
            throw new ArgumentException($"Conv1x1({InChannels} → {OutChannels}) needs a channels-last [..., {InChannels}] input; got {Tensor.FormatShape(x.Shape)}.", nameof(x));
        return Functional.Linear(x, Weight.Value, Bias?.Value);
    }
}
