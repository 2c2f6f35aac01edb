using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The channel MLP of a transformer block: <c>fc2(drop(act(fc1(x))))</c> then dropout, over the last
/// (channel) dimension. PoolFormer's checkpoints hold fc1/fc2 as 1×1 convolutions (<c>[out, in, 1, 1]</c>),
/// ViT's as linear layers (<c>[out, in]</c>); channels-last, both are the same GEMM, only the export differs.
/// Weights are drawn as both codebases do: trunc_normal(std 0.02), zero bias.
/// </summary>
public sealed class Mlp : Layer
{
    private readonly WeightedLayer _fc1;
    private readonly Layer _act;
    private readonly ActivationKind _activation;
    private readonly WeightedLayer _fc2;
    private readonly Dropout _drop;

    /// <summary>An MLP <paramref name="dim"/> → <paramref name="hidden"/> → <paramref name="dim"/>.</summary>
    /// <param name="dim">Input and output channels.</param>
    /// <param name="hidden">Hidden channels (<c>int(dim · mlp_ratio)</c>).</param>
    /// <param name="activation">Activation between the layers.</param>
    /// <param name="conv1x1">Export fc1/fc2 as 1×1 convolutions (PoolFormer) instead of linear layers (ViT).</param>
    /// <param name="drop">Dropout after the activation and after fc2.</param>
    /// <param name="generator">Draws the weights and the dropout masks.</param>
    /// <exception cref="ArgumentException">A width is not positive.</exception>
    public Mlp(int dim, int hidden, ActivationKind activation, bool conv1x1, float drop, Generator generator)
    {
        if (dim < 1 || hidden < 1) throw new ArgumentException($"An MLP needs positive widths; got {dim} → {hidden}.");
        WeightedLayer fc1 = conv1x1 ? new Conv1x1(dim, hidden, generator: generator) : new Linear(dim, hidden, generator);
        WeightedLayer fc2 = conv1x1 ? new Conv1x1(hidden, dim, generator: generator) : new Linear(hidden, dim, generator);
        Layers.TruncNormalInit(generator, fc1, fc2);
        _fc1 = RegisterModule("fc1", fc1);
        _act = RegisterModule("act", Layers.Activation(activation));
        _activation = activation;
        _fc2 = RegisterModule("fc2", fc2);
        _drop = RegisterModule("drop", new Dropout(drop, generator));
    }

    /// <summary><c>[…, C]</c> → <c>[…, C]</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        // Without dropout, the whole MLP is one call that fuses what suits training or inference.
        if (_activation != ActivationKind.StarRelu && (_drop.P == 0 || !Training))
            return Functional.Mlp(x, _fc1.Weight.Value, _fc1.Bias?.Value, _activation, _fc2.Weight.Value, _fc2.Bias?.Value);
        // fc1 and a pointwise activation are one op (fused when no gradient is needed); StarReLU keeps its layer.
        var h = _activation == ActivationKind.StarRelu
            ? _act.Forward(_fc1.Forward(x))
            : Functional.LinearActivation(x, _fc1.Weight.Value, _fc1.Bias?.Value, _activation);
        h = _drop.Forward(h);
        return _drop.Forward(_fc2.Forward(h));
    }
}
