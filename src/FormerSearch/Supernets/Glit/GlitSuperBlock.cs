using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A GLiT block in the supernet, pre-norm as the zoo's: <c>x + drop_path(attn(norm1(x)))</c>, then
/// <c>x + drop_path(mlp(norm2(x)))</c>; the norms and the MLP are shared by every split. The mixer <c>attn</c> holds
/// one <see cref="GlitSuperGlobalLocal"/> per head split, named <c>g{g}l{l}</c> (<see cref="HeadSplitWeights.Own"/>), or
/// is one mixer of every head of both kinds (<see cref="HeadSplitWeights.Shared"/>). <see cref="Activate"/> picks the
/// split and sizes the next forwards use.
/// </summary>
public sealed class GlitSuperBlock : Layer
{
    private readonly int _dim;
    private readonly LayerNorm _norm1;
    private readonly Alternatives<GlitSuperGlobalLocal>? _splits;
    private readonly GlitSuperGlobalLocal? _shared;
    private readonly LayerNorm _norm2;
    private readonly GlitSuperMlp _mlp;
    private readonly DropPath _dropPath;

    /// <summary>A block of <paramref name="settings"/>' width with stochastic depth <paramref name="dropPath"/>, its head splits' weights as <paramref name="headSplits"/> says.</summary>
    public GlitSuperBlock(GlitSpaceSettings settings, HeadSplitWeights headSplits, float dropRate, float dropPath, Generator generator)
    {
        _dim = settings.EmbedDim;
        _norm1 = RegisterModule("norm1", new LayerNorm(_dim, settings.NormEps));
        int h = settings.NumHeads;
        GlitSuperGlobalLocal Mixer(int globalHeads, int localHeads) => new(settings.HeadDim, globalHeads, localHeads,
            settings.GlobalExpansions[^1], settings.LocalExpansions[^1], settings.Kernels[^1], generator);
        if (headSplits == HeadSplitWeights.Shared) _shared = RegisterModule("attn", Mixer(h, h));
        else _splits = RegisterModule("attn", new Alternatives<GlitSuperGlobalLocal>(Enumerable.Range(0, h + 1).Select(g => ($"g{g}l{h - g}", Mixer(g, h - g)))));
        _norm2 = RegisterModule("norm2", new LayerNorm(_dim, settings.NormEps));
        _mlp = RegisterModule("mlp", new GlitSuperMlp(_dim, (int)(_dim * settings.MlpRatios[^1]), dropRate, generator));
        _dropPath = RegisterModule("drop_path", new DropPath(dropPath, generator));
    }

    /// <summary>Makes <paramref name="layer"/> the block's active configuration.</summary>
    /// <exception cref="ArgumentException">The layer's sizes exceed the largest.</exception>
    public void Activate(GlitLayerConfig layer)
    {
        var mixer = _shared ?? _splits!.Activate(layer.GlobalHeads);
        mixer.Activate(layer.GlobalHeads, layer.LocalHeads, layer.GlobalExpansion, layer.LocalExpansion, layer.Kernel);
        _mlp.Activate((int)(_dim * layer.MlpRatio));
    }

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c> through the active configuration.</summary>
    public override Tensor Forward(Tensor x)
    {
        var mixer = _shared ?? _splits!.Active;
        x = Functional.Add(x, _dropPath.Forward(mixer.Forward(_norm1.Forward(x))));
        return Functional.Add(x, _dropPath.Forward(_mlp.Forward(_norm2.Forward(x))));
    }
}
