using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

/// <summary>
/// BurgerFormer's cell rules (official <c>search_config.py</c> and <c>arch_generate.py</c>), in one place for the space,
/// its conversions and the supernet: attention and the spatial MLP only where a stage allows them (stages 3–4); a
/// sub-block has exactly one norm, before or after its op, and no norm or activation around a skip op; a skip op in
/// sub-block 1 or 3 turns off its edge (0->1 or 2->3), its layer scale and its drop path, and passes its input on as
/// that edge would; with searched edges a cell keeps a residual path from its input to its output.
/// </summary>
public static class BurgerCellRules
{
    /// <summary>Sub-blocks per cell: 1, 2 (the expanded middle) and 3.</summary>
    public const int SubBlocks = 3;

    /// <summary>Residual edges per cell, in <see cref="BurgerFormerMesoConfig.EdgeKeys"/> order.</summary>
    public const int Edges = 6;

    /// <summary>The residual rule's paths, for messages.</summary>
    public const string ResidualPaths = "0->3, 0->1->3, 0->2->3 or 0->1->2->3, a skip op counting as its edge";

    /// <summary>The norms a sub-block with an op may use (official <c>OPS</c> without skip).</summary>
    public static IReadOnlyList<NormKind> Norms { get; } = [NormKind.BatchNorm, NormKind.GroupNorm, NormKind.LayerNorm];

    /// <summary>
    /// The ops sub-block <paramref name="sub"/> offers, skip first (official order): the expanded middle one the
    /// <c>meat</c> ops; the outer ones the <c>bread</c> ops, whose last two — <c>self_atten</c>, <c>spatial_mlp</c> —
    /// only in a stage with <paramref name="attentionAndMlp"/> (official <c>has_atten_mlp</c>).
    /// </summary>
    public static IReadOnlyList<TokenMixerKind> Ops(int sub, bool attentionAndMlp)
    {
        var names = sub == 1 ? BurgerFormerVocabulary.MeatOps
            : attentionAndMlp ? BurgerFormerVocabulary.BreadOps
            : BurgerFormerVocabulary.BreadOps.Take(BurgerFormerVocabulary.BreadOps.Count - 2).ToArray();
        return names.Select(n => BurgerFormerVocabulary.ParseOp(n)!.Value).ToArray();
    }

    /// <summary>Whether a sub-block with <paramref name="op"/> has a norm (and its position) and an activation: not around a skip op.</summary>
    public static bool HasNormAndActivation(TokenMixerKind op) => op != TokenMixerKind.Identity;

    /// <summary>Whether sub-block <paramref name="sub"/> scales and drops its output (meso <c>use_layer_scale</c>, <c>is_drop</c>): the middle always, an outer one unless its op is skip.</summary>
    public static bool ScalesOutput(int sub, TokenMixerKind op) => sub == 1 || op != TokenMixerKind.Identity;

    /// <summary>Whether edge <paramref name="edge"/> is turned off by the cell's outer ops <paramref name="op1"/> and <paramref name="op3"/> (a skip op's own edge 0->1 or 2->3).</summary>
    public static bool IsTurnedOff(int edge, TokenMixerKind op1, TokenMixerKind op3) =>
        (edge == EdgeOf(0) && op1 == TokenMixerKind.Identity) || (edge == EdgeOf(2) && op3 == TokenMixerKind.Identity);

    /// <summary>The edge into the output of outer sub-block <paramref name="sub"/> from its input (0->1 for sub-block 1, 2->3 for sub-block 3), the one its skip op turns off.</summary>
    public static int EdgeOf(int sub) => BurgerFormerMesoConfig.EdgeIndex(sub, sub + 1);

    /// <summary>The edges the model wires: <paramref name="edges"/> with those the outer skip ops turn off removed.</summary>
    public static bool[] ModelEdges(IReadOnlyList<bool> edges, TokenMixerKind op1, TokenMixerKind op3)
    {
        var e = new bool[Edges];
        for (int i = 0; i < Edges; i++) e[i] = edges[i] && !IsTurnedOff(i, op1, op3);
        return e;
    }

    /// <summary>The edges as the residual rule sees them (official <c>is_residual</c> with the ops known): a skip op in sub-block 1 or 3 passes its input on, like its edge.</summary>
    public static bool[] EffectiveEdges(IReadOnlyList<bool> edges, TokenMixerKind op1, TokenMixerKind op3)
    {
        var e = new bool[Edges];
        for (int i = 0; i < Edges; i++) e[i] = edges[i] || IsTurnedOff(i, op1, op3);
        return e;
    }

    /// <summary>The official <c>is_residual</c>: a path 0->3, 0->1->3, 0->2->3 or 0->1->2->3 of present edges.</summary>
    public static bool IsResidual(IReadOnlyList<bool> e) =>
        e[3] || (e[0] && e[4]) || (e[1] && e[5]) || (e[0] && e[2] && e[5]);

    /// <summary>
    /// Sub-block <paramref name="sub"/> as the official <c>weight2_arch</c> writes it: first activation unused, the one
    /// norm before or after <paramref name="op"/> (none for skip), layer scale and drop path by <see cref="ScalesOutput"/>.
    /// </summary>
    public static BurgerFormerMicroConfig Micro(int sub, TokenMixerKind op, BurgerNormPosition position, NormKind norm, ActivationKind activation)
    {
        bool on = ScalesOutput(sub, op);
        var micro = new BurgerFormerMicroConfig { UseLayerScale = on, IsDrop = on };
        if (!HasNormAndActivation(op)) return micro;
        bool pre = position == BurgerNormPosition.Pre;
        return micro with
        {
            Op = op,
            PreNorm = pre ? norm : NormKind.None,
            PostNorm = pre ? NormKind.None : norm,
            Activation = activation,
        };
    }
}
