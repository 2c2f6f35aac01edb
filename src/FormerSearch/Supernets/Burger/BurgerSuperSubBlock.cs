using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// One sub-block position of a BurgerFormer supernet block (official <c>search_block.NormMixerActBlock</c>): every
/// alternative at the largest width, each with its own weights — a norm choice before the op (<c>norm_layer_1</c>:
/// skip, BN, GN, LN), the ops (<c>mixer_layer_2</c>), a norm choice after it (<c>norm_layer_3</c>) — and, for the
/// expanded middle position, the 1×1 expansion and reduction, whose weights every ratio and width slices. One layer
/// scale per position. <see cref="Activate"/> sets the alternatives and widths; the forward then runs the standalone
/// <see cref="BurgerFormerSubBlock"/>'s computation on leading slices (views) of these weights, and the active modules,
/// in order, are the standalone sub-block's (expansion, reduction, norm, op, norm).
/// </summary>
public sealed class BurgerSuperSubBlock : Layer, ISlicedLayer
{
    private readonly Alternatives<Layer> _preNorms;
    private readonly Alternatives<Layer> _ops;
    private readonly Alternatives<Layer> _postNorms;
    private readonly Parameter _layerScale;
    private readonly SlicedGroupNorm? _expandNorm;
    private readonly SlicedLinear? _expand;
    private readonly SlicedLinear? _reduce;
    private readonly Sequential? _expandStart;
    private readonly Sequential? _expandEnd;
    private readonly Generator _generator;
    private readonly IReadOnlyList<TokenMixerKind> _opKinds;
    private int _width;
    private ActivationKind _act;
    private bool _useLayerScale;
    private float _dropPath;

    /// <summary>A position of up to <paramref name="maxDim"/> channels; <paramref name="maxRatio"/> &gt; 0 makes it the expanded middle one.</summary>
    /// <param name="maxDim">Largest width of the stage.</param>
    /// <param name="maxRatio">Largest expansion (middle position) or 0 (outer positions).</param>
    /// <param name="ops">The ops this position offers, skip first (official order).</param>
    /// <param name="numHeads">Attention heads of the stage.</param>
    /// <param name="height">Map height (the spatial MLP's positions).</param>
    /// <param name="width">Map width.</param>
    /// <param name="layerScaleInit">Initial layer scale.</param>
    /// <param name="generator">Draws the weights and the drop-path masks.</param>
    public BurgerSuperSubBlock(int maxDim, int maxRatio, IReadOnlyList<TokenMixerKind> ops, int numHeads, int height, int width, float layerScaleInit, Generator generator)
    {
        _generator = generator;
        _opKinds = ops;
        _layerScale = RegisterParameter("layer_scale", new Parameter(maxDim) { NoWeightDecay = true });
        Init.Constant(_layerScale.Value, layerScaleInit);
        int maxInner = maxDim;
        if (maxRatio > 0)
        {
            maxInner = maxRatio * maxDim;
            _expandNorm = new SlicedGroupNorm(maxDim);
            _expand = new SlicedLinear(maxDim, maxInner, generator, SlicedInit.TorchDefault, weightLayout: LinearWeightLayout.Conv1x1);
            _reduce = new SlicedLinear(maxInner, maxDim, generator, SlicedInit.TorchDefault, weightLayout: LinearWeightLayout.Conv1x1);
            _expandStart = RegisterModule("expand_start", new Sequential(_expandNorm, _expand, new Gelu()));
            _expandEnd = RegisterModule("expand_end", new Sequential(_reduce));
        }
        _preNorms = RegisterModule("norm_layer_1", Norms(maxInner));
        _ops = RegisterModule("mixer_layer_2", new Alternatives<Layer>(ops.Select(op => Op(op, maxInner, numHeads, height, width, generator)).ToArray()));
        _postNorms = RegisterModule("norm_layer_3", Norms(maxInner));
    }

    /// <summary>
    /// Selects width <paramref name="width"/>, expansion <paramref name="ratio"/> (middle position) and the alternatives
    /// of <paramref name="micro"/>, with stochastic depth <paramref name="dropPath"/> when its <c>is_drop</c> is on.
    /// </summary>
    /// <exception cref="ArgumentException">The op is not offered here, or a size exceeds the largest.</exception>
    public void Activate(int width, int ratio, BurgerFormerMicroConfig micro, float dropPath)
    {
        int op = -1;
        for (int i = 0; i < _opKinds.Count; i++) if (_opKinds[i] == micro.Op) op = i;
        if (op < 0) throw new ArgumentException($"This sub-block position offers {string.Join(", ", _opKinds.Select(BurgerFormerVocabulary.Name))}, not {BurgerFormerVocabulary.Name(micro.Op)}.");
        _width = width;
        int inner = width;
        if (_expand is not null)
        {
            inner = ratio * width;
            _expandNorm!.Activate(width);
            _expand.Activate(width, inner);
            _reduce!.Activate(inner, width);
        }
        ActivateWidth(_preNorms.Activate(NormIndex(micro.PreNorm)), inner);
        ActivateWidth(_ops.Activate(op), inner);
        ActivateWidth(_postNorms.Activate(NormIndex(micro.PostNorm)), inner);
        _act = micro.Activation;
        _useLayerScale = micro.UseLayerScale;
        _dropPath = micro.IsDrop ? dropPath : 0f;
    }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c> for the active width <c>C</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        if (_expandStart is not null) x = _expandStart.Forward(x);   // [B, H, W, r·C]
        x = _postNorms.Forward(_ops.Forward(_preNorms.Forward(x)));
        x = _act switch
        {
            ActivationKind.None => x,
            ActivationKind.Relu6 => Functional.Relu6(x),
            ActivationKind.Gelu => Functional.Gelu(x),
            _ => Functional.Silu(x),
        };
        if (_expandEnd is not null) x = _expandEnd.Forward(x);       // [B, H, W, C]
        if (_useLayerScale) x = Functional.Mul(x, _layerScale.Value.Narrow(0, 0, _width));
        return _dropPath > 0f ? Functional.DropPath(x, _dropPath, Training, _generator) : x;
    }

    /// <summary>The layer scale's active channels, when the active sub-block scales its output.</summary>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        if (_useLayerScale) yield return new ActiveTensor("layer_scale", _layerScale.Value.Narrow(0, 0, _width));
    }

    private static void ActivateWidth(Layer alternative, int width)
    {
        // Skip, pooling and the spatial MLP (which mixes positions) hold nothing that depends on the width.
        if (alternative is ISlicedByWidth sliced) sliced.Activate(width);
    }

    private static int NormIndex(NormKind kind) => kind switch
    {
        NormKind.None => 0,
        NormKind.BatchNorm => 1,
        NormKind.GroupNorm => 2,
        NormKind.LayerNorm => 3,
        _ => throw new ArgumentException($"BurgerFormer has no norm {kind}."),
    };

    // Official OPS order: skip (nothing to hold), BN, GN, LN (eps 1e-6 as LayerNormChannel).
    private static Alternatives<Layer> Norms(int channels) =>
        new(new Layer[] { new Identity(), new SlicedBatchNorm(channels), new SlicedGroupNorm(channels), new SlicedLayerNorm(channels, 1e-6f) });

    private static Layer Op(TokenMixerKind kind, int dim, int numHeads, int height, int width, Generator generator) => kind switch
    {
        TokenMixerKind.DepthwiseConv3x3 => new SlicedConv2d(dim, dim, 3, 1, 1, generator, depthwise: true),
        TokenMixerKind.Conv1x1 => new SlicedLinear(dim, dim, generator, SlicedInit.TorchDefault, weightLayout: LinearWeightLayout.Conv1x1),
        TokenMixerKind.Attention => new BurgerSuperAttention(dim, numHeads, generator),
        // Skip, pooling and the spatial MLP (tied to the map, not the width) have nothing to slice: the zoo's own.
        _ => TokenMixers.Create(kind, dim, numHeads, height, width, generator, spatialFcBias: true),
    };
}
