using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// <c>nn.Conv1d(in, out, 1)</c> over a token sequence, run channels-last as one GEMM: <c>[B, N, in]</c> →
/// <c>[B, N, out]</c>. The weight is held in PyTorch's own layout <c>[out, in, 1]</c> (row-major it is the
/// <c>[out, in]</c> matrix GEMM takes, seen through a view), so checkpoints load unchanged; initialised as
/// <c>nn.Conv1d</c> (kaiming_uniform with a = √5, bias U(±1/√in)).
/// </summary>
public sealed class PointwiseConv1d : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>A 1×1 convolution <paramref name="inChannels"/> → <paramref name="outChannels"/> with bias.</summary>
    /// <exception cref="ArgumentException">A channel count is not positive.</exception>
    public PointwiseConv1d(int inChannels, int outChannels, Generator generator)
    {
        if (inChannels < 1 || outChannels < 1)
            throw new ArgumentException($"A pointwise Conv1d needs positive channel counts; got {inChannels} → {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        _weight = RegisterParameter("weight", new Parameter(outChannels, inChannels, 1));
        _bias = RegisterParameter("bias", new Parameter(outChannels));
        Init.LinearOrConvDefault(_weight.Value, _bias.Value, generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary><c>[B, N, in]</c> → <c>[B, N, out]</c>.</summary>
    /// <exception cref="ArgumentException">The last dimension is not <see cref="InChannels"/>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Size(-1) != InChannels)
            throw new ArgumentException($"Conv1d({InChannels} → {OutChannels}, 1) takes channels-last [..., {InChannels}]; got {Tensor.FormatShape(x.Shape)}.");
        return Functional.Linear(x, _weight.Value.Reshape(OutChannels, InChannels), _bias.Value);
    }
}
