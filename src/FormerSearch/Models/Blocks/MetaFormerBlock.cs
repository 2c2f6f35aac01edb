using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// One MetaFormer block (Yu et al., "MetaFormer Is Actually What You Need for Vision", CVPR 2022):
/// <code>
/// x = x + drop_path(layer_scale_1 · token_mixer(norm1(x)))
/// x = x + drop_path(layer_scale_2 · mlp(norm2(x)))
/// </code>
/// with a pluggable token mixer, norm and MLP activation. A ViT block is the same with attention as the
/// mixer (named <c>attn</c>) and no layer scale. Parameter names follow the official code
/// (<c>norm1</c>, <c>token_mixer</c>, <c>norm2</c>, <c>mlp.fc1</c>, <c>layer_scale_1</c>, …); the layer
/// scales are registered first because the official block's own parameters precede its children in its state dict.
/// </summary>
public sealed class MetaFormerBlock : Layer
{
    private readonly Parameter? _layerScale1;
    private readonly Parameter? _layerScale2;
    private readonly Layer _norm1;
    private readonly Layer _mixer;
    private readonly Layer _norm2;
    private readonly Mlp _mlp;
    private readonly DropPath _dropPath;

    /// <summary>A block over <paramref name="dim"/> channels around the given <paramref name="tokenMixer"/>.</summary>
    /// <param name="dim">Channels.</param>
    /// <param name="tokenMixer">The mixer layer (<see cref="Pooling"/>, <see cref="Attention"/>, …).</param>
    /// <param name="settings">Norm, activation, MLP ratio, layer scale, dropout and the mixer's name.</param>
    /// <param name="dropPath">Stochastic depth probability of this block.</param>
    /// <param name="generator">Draws the MLP weights and the dropout / drop-path masks.</param>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public MetaFormerBlock(int dim, Layer tokenMixer, MetaFormerBlockSettings settings, float dropPath, Generator generator)
    {
        Dim = dim;
        if (settings.UseLayerScale)
        {
            _layerScale1 = RegisterParameter("layer_scale_1", LayerScale(dim, settings.LayerScaleInit));
            _layerScale2 = RegisterParameter("layer_scale_2", LayerScale(dim, settings.LayerScaleInit));
        }
        _norm1 = RegisterModule("norm1", Layers.Norm(settings.Norm, dim, settings.NormEps));
        _mixer = RegisterModule(settings.MixerName, tokenMixer);
        _norm2 = RegisterModule("norm2", Layers.Norm(settings.Norm, dim, settings.NormEps));
        _mlp = RegisterModule("mlp", new Mlp(dim, (int)(dim * settings.MlpRatio), settings.Activation, settings.MlpAsConv1x1, settings.DropRate, generator));
        _dropPath = RegisterModule("drop_path", new DropPath(dropPath, generator));
    }

    /// <summary>Channels.</summary>
    public int Dim { get; }

    /// <summary><c>[B, H, W, C]</c> or <c>[B, N, C]</c> → the same shape.</summary>
    public override Tensor Forward(Tensor x)
    {
        var normed = _norm1.Forward(x);
        // Without drop path, x + layer_scale · mixer is one residual op (one pass when no gradient is needed); a pooling
        // mixer's pool(x) − x joins it.
        if (_dropPath.Training && _dropPath.P > 0f) x = Functional.Add(x, _dropPath.Forward(Scaled(_mixer.Forward(normed), _layerScale1)));
        else if (_mixer is Pooling { PoolSize: 3 }) x = Functional.PoolResidual(x, normed, _layerScale1?.Value);
        else if (_mixer is Pooling pooling) x = Functional.ScaledResidual(x, pooling.Pool(normed), normed, _layerScale1?.Value);
        else x = Functional.ScaledResidual(x, _mixer.Forward(normed), scale: _layerScale1?.Value);
        var mlp = _mlp.Forward(_norm2.Forward(x));
        if (_dropPath.Training && _dropPath.P > 0f) return Functional.Add(x, _dropPath.Forward(Scaled(mlp, _layerScale2)));
        return Functional.ScaledResidual(x, mlp, scale: _layerScale2?.Value);
    }

    private static Tensor Scaled(Tensor branch, Parameter? layerScale) =>
        layerScale is null ? branch : Functional.Mul(branch, layerScale.Value);   // [C] broadcast over positions

    private static Parameter LayerScale(int dim, float init)
    {
        var p = new Parameter(dim) { NoWeightDecay = true };
        Init.Constant(p.Value, init);
        return p;
    }
}
