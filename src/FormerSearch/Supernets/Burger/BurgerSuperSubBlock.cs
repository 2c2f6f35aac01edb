using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// One sub-block position of a BurgerFormer supernet block (official <c>search_block.NormMixerActBlock</c>): every
/// alternative at the largest width, each with its own weights — a norm list before the op (<c>norm_layer_1</c>:
/// skip, BN, GN, LN), the ops (<c>mixer_layer_2</c>), a second norm list after it (<c>norm_layer_3</c>) — and, for the
/// expanded middle position, the 1×1 expansion and reduction, whose weights every ratio and width slices. One layer
/// scale per position. The active alternative and width are set by <see cref="Activate"/>; the forward then runs the
/// standalone <see cref="BurgerFormerSubBlock"/>'s computation on leading slices (views) of these weights.
/// </summary>
public sealed class BurgerSuperSubBlock : Layer
{
    private readonly ModuleList<Module> _preNorms;
    private readonly ModuleList<Module> _ops;
    private readonly ModuleList<Module> _postNorms;
    private readonly Parameter _layerScale;
    private readonly GroupNorm? _expandNorm;
    private readonly Conv1x1? _expand;
    private readonly Conv1x1? _reduce;
    private readonly Generator _generator;
    private readonly IReadOnlyList<string> _opNames;
    private int _width, _inner, _op, _pre, _post;
    private ActivationKind _act;
    private bool _useLayerScale;
    private float _dropPath;

    /// <summary>A position of up to <paramref name="maxDim"/> channels; <paramref name="maxRatio"/> &gt; 0 makes it the expanded middle one.</summary>
    /// <param name="maxDim">Largest width of the stage.</param>
    /// <param name="maxRatio">Largest expansion (middle position) or 0 (outer positions).</param>
    /// <param name="opNames">The ops this position offers, skip first (official order).</param>
    /// <param name="numHeads">Attention heads of the stage.</param>
    /// <param name="height">Map height (the spatial MLP's positions).</param>
    /// <param name="width">Map width.</param>
    /// <param name="layerScaleInit">Initial layer scale.</param>
    /// <param name="generator">Draws the weights and the drop-path masks.</param>
    public BurgerSuperSubBlock(int maxDim, int maxRatio, IReadOnlyList<string> opNames, int numHeads, int height, int width, float layerScaleInit, Generator generator)
    {
        _generator = generator;
        _opNames = opNames;
        MaxDim = maxDim;
        _layerScale = RegisterParameter("layer_scale", new Parameter(maxDim) { NoWeightDecay = true });
        Init.Constant(_layerScale.Value, layerScaleInit);
        int maxInner = maxDim;
        if (maxRatio > 0)
        {
            maxInner = maxRatio * maxDim;
            _expandNorm = new GroupNorm(1, maxDim);
            _expand = new Conv1x1(maxDim, maxInner, generator: generator);
            _reduce = new Conv1x1(maxInner, maxDim, generator: generator);
            RegisterModule("expand_start", new Sequential(_expandNorm, _expand, new Gelu()));
            RegisterModule("expand_end", new Sequential(_reduce));
        }
        _preNorms = RegisterModule("norm_layer_1", Norms(maxInner));
        _ops = new ModuleList<Module>();
        foreach (string name in opNames) _ops.Add(Op(name, maxInner, numHeads, height, width, generator));
        RegisterModule("mixer_layer_2", _ops);
        _postNorms = RegisterModule("norm_layer_3", Norms(maxInner));
    }

    /// <summary>Largest width.</summary>
    public int MaxDim { get; }

    /// <summary>Selects width <paramref name="width"/>, expansion <paramref name="ratio"/> (middle position) and the alternatives of <paramref name="micro"/>, with stochastic depth <paramref name="dropPath"/> when its <c>is_drop</c> is on.</summary>
    /// <exception cref="ArgumentException">The op is not offered here.</exception>
    public void Activate(int width, int ratio, BurgerFormerMicroConfig micro, float dropPath)
    {
        string op = BurgerFormerVocabulary.Name(micro.Op);
        int index = -1;
        for (int i = 0; i < _opNames.Count; i++) if (_opNames[i] == op) index = i;
        if (index < 0) throw new ArgumentException($"This sub-block position offers {string.Join(", ", _opNames)}, not {op}.");
        _width = width;
        _inner = _expand is null ? width : ratio * width;
        _op = index;
        _pre = NormIndex(micro.PreNorm);
        _post = NormIndex(micro.PostNorm);
        _act = micro.Activation;
        _useLayerScale = micro.UseLayerScale;
        _dropPath = micro.IsDrop ? dropPath : 0f;
    }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c> for the active width <c>C</c>.</summary>
    public override Tensor Forward(Tensor x)
    {
        int c = _width;
        if (_expand is not null)
        {
            x = Functional.GroupNorm1(x, _expandNorm!.Weight.Value.Narrow(0, 0, c), _expandNorm.Bias.Value.Narrow(0, 0, c), _expandNorm.Eps);
            x = Functional.Gelu(Functional.Linear(x, _expand.Weight.Value.Block(_inner, c), _expand.Bias!.Value.Narrow(0, 0, _inner)));   // [B, H, W, r·C]
        }
        if (_pre != 0) x = Norm(_preNorms[_pre], x);
        if (_op != 0) x = Op(_ops[_op], x);
        if (_post != 0) x = Norm(_postNorms[_post], x);
        x = _act switch
        {
            ActivationKind.None => x,
            ActivationKind.Relu6 => Functional.Relu6(x),
            ActivationKind.Gelu => Functional.Gelu(x),
            _ => Functional.Silu(x),
        };
        if (_reduce is not null) x = Functional.Linear(x, _reduce.Weight.Value.Block(c, _inner), _reduce.Bias!.Value.Narrow(0, 0, c));   // [B, H, W, C]
        if (_useLayerScale) x = Functional.Mul(x, _layerScale.Value.Narrow(0, 0, c));
        return _dropPath > 0f ? Functional.DropPath(x, _dropPath, Training, _generator) : x;
    }

    /// <summary>Adds the active slices under the standalone <see cref="BurgerFormerSubBlock"/>'s names (prefix ends in a dot).</summary>
    public void AddSlices(string prefix, Dictionary<string, Tensor> into, bool splitQkv = false)
    {
        int c = _width, inner = _inner;
        if (_useLayerScale) into[prefix + "layer_scale"] = _layerScale.Value.Narrow(0, 0, c);
        if (_expand is not null)
        {
            into[prefix + "expand_start.0.weight"] = _expandNorm!.Weight.Value.Narrow(0, 0, c);
            into[prefix + "expand_start.0.bias"] = _expandNorm.Bias.Value.Narrow(0, 0, c);
            into[prefix + "expand_start.1.weight"] = _expand.Weight.Value.Block(inner, c);
            into[prefix + "expand_start.1.bias"] = _expand.Bias!.Value.Narrow(0, 0, inner);
            into[prefix + "expand_end.0.weight"] = _reduce!.Weight.Value.Block(c, inner);
            into[prefix + "expand_end.0.bias"] = _reduce.Bias!.Value.Narrow(0, 0, c);
        }
        // The standalone ops.N numbers only the parts that are not skip, in act-norm-op-norm-act order.
        int part = 0;
        if (_pre != 0) AddNorm($"{prefix}ops.{part++}.", _preNorms[_pre], inner, into);
        if (_op != 0)
        {
            string p = $"{prefix}ops.{part++}.";
            switch (_ops[_op])
            {
                case Conv2d dw:
                    into[p + "weight"] = dw.Weight.Value.Narrow(0, 0, inner);
                    into[p + "bias"] = dw.Bias!.Value.Narrow(0, 0, inner);
                    break;
                case Conv1x1 pw:
                    into[p + "weight"] = pw.Weight.Value.Block(inner, inner);
                    into[p + "bias"] = pw.Bias!.Value.Narrow(0, 0, inner);
                    break;
                case SlicedAttention attention:
                    attention.AddSlices(p, inner, into, splitQkv);
                    break;
                case SpatialFc fc:
                    foreach (var (name, parameter) in fc.NamedParameters()) into[p + name] = parameter.Value;
                    break;
            }
        }
        if (_post != 0) AddNorm($"{prefix}ops.{part}.", _postNorms[_post], inner, into);
    }

    private static void AddNorm(string p, Module norm, int c, Dictionary<string, Tensor> into)
    {
        switch (norm)
        {
            case SlicedBatchNorm bn:
                bn.ActiveState(p, c, into);
                break;
            case GroupNorm gn:
                into[p + "weight"] = gn.Weight.Value.Narrow(0, 0, c);
                into[p + "bias"] = gn.Bias.Value.Narrow(0, 0, c);
                break;
            case LayerNorm ln:
                into[p + "weight"] = ln.Weight.Value.Narrow(0, 0, c);
                into[p + "bias"] = ln.Bias.Value.Narrow(0, 0, c);
                break;
        }
    }

    private static Tensor Norm(Module norm, Tensor x)
    {
        int c = x.Size(-1);
        return norm switch
        {
            SlicedBatchNorm bn => bn.Forward(x),
            GroupNorm gn => Functional.GroupNorm1(x, gn.Weight.Value.Narrow(0, 0, c), gn.Bias.Value.Narrow(0, 0, c), gn.Eps),
            LayerNorm ln => Functional.LayerNorm(x, ln.Weight.Value.Narrow(0, 0, c), ln.Bias.Value.Narrow(0, 0, c), ln.Eps),
            _ => throw new InvalidOperationException($"Unexpected norm {norm.GetType().Name}."),
        };
    }

    private static Tensor Op(Module op, Tensor x)
    {
        int c = x.Size(-1);
        switch (op)
        {
            case Conv2d dw:
                // [Cmax, 3, 3, 1] → its first C filters as [C, 3, 3]: a contiguous view.
                var w = dw.Weight.Value.Narrow(0, 0, c);
                return Functional.DepthwiseConv2d(x, w.Reshape(c, 3, 3), dw.Bias!.Value.Narrow(0, 0, c), 1, 1);
            case Conv1x1 pw:
                return Functional.Linear(x, pw.Weight.Value.Block(c, c), pw.Bias!.Value.Narrow(0, 0, c));
            case Pooling pool:
                return pool.Forward(x);
            case SlicedAttention attention:
                return attention.Forward(x);
            case SpatialFc fc:
                return fc.Forward(x);
            default:
                throw new InvalidOperationException($"Unexpected op {op.GetType().Name}.");
        }
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
    private static ModuleList<Module> Norms(int channels) =>
        new(new Module[] { new Identity(), new SlicedBatchNorm(channels), new GroupNorm(1, channels), new LayerNorm(channels, 1e-6f) });

    private static Module Op(string name, int dim, int numHeads, int height, int width, Generator generator)
    {
        switch (name)
        {
            case "skip":
                return new Identity();
            case "dwise_3x3":
                return new Conv2d(dim, dim, 3, 1, 1, groups: dim, generator: generator);
            case "conv_1x1":
                return new Conv1x1(dim, dim, generator: generator);
            case "avgpool":
                return new Pooling(3);
            case "self_atten":
                return new SlicedAttention(dim, numHeads, generator);
            case "spatial_mlp":
                var fc = new SpatialFc(height, width, generator, bias: true);
                foreach (var (_, child) in fc.NamedChildren()) FormerSearch.Models.Blocks.Layers.TruncNormalInit(child, generator);
                return fc;
            default:
                throw new ArgumentException($"BurgerFormer has no op {name}.");
        }
    }
}
