namespace FormerSearch.Models;

/// <summary>
/// One GLiT layer (Chen et al., 2021): how its heads split between global self-attention and local convolution
/// heads, their expansions, the convolution kernel and the MLP ratio — one point of GLiT's per-layer search space.
/// The global heads read the first <c>GlobalHeads/NumHeads</c> of the channels, the local heads the rest.
/// </summary>
public sealed record GlitLayerConfig
{
    /// <summary>Heads of global multi-head self-attention (the official <c>V_head</c>). GLiT-Tiny: 0, 1 or 3 of 3.</summary>
    public required int GlobalHeads { get; init; }

    /// <summary>Local convolution heads (the official <c>C_head</c>); <see cref="GlobalHeads"/> + this is the model's head count.</summary>
    public required int LocalHeads { get; init; }

    /// <summary>Width of q, k and v over the global heads' input width (the official <c>e_v</c>: 0.5, 1 or 2). Default: 1. Ignored without global heads.</summary>
    public float GlobalExpansion { get; init; } = 1f;

    /// <summary>Inner width of the local heads over their input width (the official <c>e_c</c>: 1, 2 or 4). Default: 1. Ignored without local heads.</summary>
    public int LocalExpansion { get; init; } = 1;

    /// <summary>Kernel of the local heads' depthwise 1-D convolution over the tokens (17, 31 or 45). Default: 31. Ignored without local heads.</summary>
    public int Kernel { get; init; } = 31;

    /// <summary>MLP hidden width over the token width (2, 4 or 6); the hidden width is <c>int(width · ratio)</c>. Default: 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>True when the layer has both kinds of heads (the official <c>Mix_Attention</c>).</summary>
    public bool IsMixed => GlobalHeads > 0 && LocalHeads > 0;

    /// <summary>"g1l2 ev1 ec4 k31 mlp6": the layer in a line.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"g{GlobalHeads}l{LocalHeads} ev{GlobalExpansion} ec{LocalExpansion} k{Kernel} mlp{MlpRatio}");
}
