using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A GLiT block in the supernet, pre-norm as the zoo's: <c>x + drop_path(attn(norm1(x)))</c>, then
/// <c>x + drop_path(mlp(norm2(x)))</c>; the norms and the MLP are shared by every split, the mixer holds one set of
/// weights per split. <see cref="Activate"/> picks the split and sizes the next forwards use.
/// </summary>
public sealed class GlitSuperBlock : Layer
{
    private readonly int _dim;
    private readonly LayerNorm _norm1;
    private readonly GlitSuperMixer _attn;
    private readonly LayerNorm _norm2;
    private readonly GlitSuperMlp _mlp;
    private readonly DropPath _dropPath;
    private GlitLayerConfig _layer = null!;
    private int _hidden;

    /// <summary>A block of <paramref name="settings"/>' width with stochastic depth <paramref name="dropPath"/>.</summary>
    public GlitSuperBlock(GlitSpaceSettings settings, float dropRate, float dropPath, Generator generator)
    {
        _dim = settings.EmbedDim;
        _norm1 = RegisterModule("norm1", new LayerNorm(_dim, settings.NormEps));
        _attn = RegisterModule("attn", new GlitSuperMixer(settings, generator));
        _norm2 = RegisterModule("norm2", new LayerNorm(_dim, settings.NormEps));
        _mlp = RegisterModule("mlp", new GlitSuperMlp(_dim, (int)(_dim * settings.MlpRatios[^1]), dropRate, generator));
        _dropPath = RegisterModule("drop_path", new DropPath(dropPath, generator));
    }

    /// <summary>Makes <paramref name="layer"/> the block's active configuration.</summary>
    public void Activate(GlitLayerConfig layer)
    {
        _layer = layer;
        _hidden = (int)(_dim * layer.MlpRatio);
    }

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c> through the active configuration.</summary>
    public override Tensor Forward(Tensor x)
    {
        var l = _layer;
        var mixed = _attn.Split(l.GlobalHeads).Forward(_norm1.Forward(x), l.GlobalExpansion, l.LocalExpansion, l.Kernel);
        x = Functional.Add(x, _dropPath.Forward(mixed));
        return Functional.Add(x, _dropPath.Forward(_mlp.Forward(_norm2.Forward(x), _hidden)));
    }

    /// <summary>Copies <paramref name="layer"/>'s slices into the zoo block's tensors named <paramref name="prefix"/><c>norm1.weight</c>, ….</summary>
    public void CopyInto(IReadOnlyDictionary<string, Tensor> target, string prefix, GlitLayerConfig layer)
    {
        target[prefix + "norm1.weight"].CopyFrom(_norm1.Weight.Value);
        target[prefix + "norm1.bias"].CopyFrom(_norm1.Bias.Value);
        _attn.Split(layer.GlobalHeads).CopyInto(target, prefix + "attn.", layer.GlobalExpansion, layer.LocalExpansion, layer.Kernel);
        target[prefix + "norm2.weight"].CopyFrom(_norm2.Weight.Value);
        target[prefix + "norm2.bias"].CopyFrom(_norm2.Bias.Value);
        _mlp.CopyInto(target, prefix + "mlp.", (int)(_dim * layer.MlpRatio));
    }
}
