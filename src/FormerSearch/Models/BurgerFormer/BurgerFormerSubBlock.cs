using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// One Norm-Op-Norm-Act sub-block of a BurgerFormer block (official <c>NormMixerActBlock</c>):
/// <code>
/// y = expand_end(ops(expand_start(x)))      // expanded middle sub-block: GN → 1×1 conv to r·C → GELU, …, 1×1 conv back
/// y = ops(x)                                // outer sub-blocks
/// return drop_path(layer_scale · y)
/// </code>
/// where <c>ops</c> holds the micro string's non-skip parts in string order (<c>ops.0</c>, <c>ops.1</c>, …, as the
/// official <c>nn.Sequential</c> numbers them). The residual edges are the enclosing <see cref="BurgerFormerBlock"/>'s.
/// </summary>
public sealed class BurgerFormerSubBlock : Layer
{
    private readonly Parameter? _layerScale;
    private readonly Sequential? _expandStart;
    private readonly Sequential? _expandEnd;
    private readonly Sequential _ops;
    private readonly DropPath _dropPath;

    /// <summary>A sub-block over <paramref name="dim"/> channels of an <paramref name="height"/>×<paramref name="width"/> map.</summary>
    /// <param name="dim">Channels of its input and output.</param>
    /// <param name="micro">Its parts and flags.</param>
    /// <param name="expandRatio">Hidden channels over <paramref name="dim"/> of the middle sub-block; 0 for an outer one.</param>
    /// <param name="numHeads">Attention heads, when the op is attention.</param>
    /// <param name="height">Map height (the spatial MLP's positions).</param>
    /// <param name="width">Map width.</param>
    /// <param name="layerScaleInit">Initial layer scale.</param>
    /// <param name="dropPath">Stochastic depth probability (already 0 when the sub-block's <c>is_drop</c> is off).</param>
    /// <param name="generator">Draws the weights and the drop-path masks.</param>
    /// <exception cref="ArgumentException">A size is not positive or the heads do not divide the width.</exception>
    public BurgerFormerSubBlock(int dim, BurgerFormerMicroConfig micro, int expandRatio, int numHeads, int height, int width,
        float layerScaleInit, float dropPath, Generator generator)
    {
        if (dim < 1 || expandRatio < 0) throw new ArgumentException($"A BurgerFormer sub-block needs a positive width and a non-negative ratio; got {dim} and {expandRatio}.");
        Dim = dim;
        // The official module's own parameter precedes its children in its state dict.
        if (micro.UseLayerScale)
        {
            _layerScale = RegisterParameter("layer_scale", new Parameter(dim) { NoWeightDecay = true });
            Init.Constant(_layerScale.Value, layerScaleInit);
        }
        int inner = dim;
        if (expandRatio > 0)
        {
            inner = expandRatio * dim;
            _expandStart = RegisterModule("expand_start", new Sequential(
                Layers.Norm(NormKind.GroupNorm, dim), new Conv1x1(dim, inner, generator: generator), new Gelu()));
            _expandEnd = RegisterModule("expand_end", new Sequential(new Conv1x1(inner, dim, generator: generator)));
        }
        _ops = new Sequential();
        if (micro.PreActivation != ActivationKind.None) _ops.Add(Layers.Activation(micro.PreActivation));
        if (micro.PreNorm != NormKind.None) _ops.Add(Norm(micro.PreNorm, inner));
        if (micro.Op != TokenMixerKind.Identity) _ops.Add(TokenMixers.Create(micro.Op, inner, numHeads, height, width, generator, spatialFcBias: true));
        if (micro.PostNorm != NormKind.None) _ops.Add(Norm(micro.PostNorm, inner));
        if (micro.Activation != ActivationKind.None) _ops.Add(Layers.Activation(micro.Activation));
        RegisterModule("ops", _ops);
        _dropPath = RegisterModule("drop_path", new DropPath(dropPath, generator));
    }

    /// <summary>Channels of the input and output.</summary>
    public int Dim { get; }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        if (_expandStart is not null) x = _expandStart.Forward(x);   // [B, H, W, r·C]
        x = _ops.Forward(x);
        if (_expandEnd is not null) x = _expandEnd.Forward(x);       // [B, H, W, C]
        if (_layerScale is not null) x = Functional.Mul(x, _layerScale.Value);
        return _dropPath.Forward(x);
    }

    // LayerNormChannel is built with eps 1e-6 by the official OPS table; GroupNorm and BatchNorm keep PyTorch's 1e-5.
    private static Layer Norm(NormKind kind, int channels) => Layers.Norm(kind, channels, kind == NormKind.LayerNorm ? 1e-6f : 1e-5f);
}
