using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// The official names of BurgerFormer's choices (<c>search_config.py</c>'s <c>CONFIG['normopact_module']</c>) and
/// the engine kinds they map to. Norms: <c>skip</c>, <c>BN</c> (BatchNorm2d), <c>GN</c> (GroupNorm with one group),
/// <c>LN</c> (LayerNormChannel: per position over the channels, eps 1e-6). Ops: <c>skip</c>, <c>dwise_3x3</c>,
/// <c>conv_1x1</c>, <c>avgpool</c> (PoolFormer's pool − x), <c>self_atten</c>, <c>spatial_mlp</c>. Activations:
/// <c>skip</c>, <c>relu6</c>, <c>gelu</c>, <c>silu</c>.
/// </summary>
public static class BurgerFormerVocabulary
{
    /// <summary>Norm names in the official order.</summary>
    public static IReadOnlyList<string> Norms { get; } = ["skip", "BN", "GN", "LN"];

    /// <summary>Op names of the outer ("bread") sub-blocks in the official order; attention and spatial MLP only in stages 3–4 in the official space.</summary>
    public static IReadOnlyList<string> BreadOps { get; } = ["skip", "dwise_3x3", "conv_1x1", "avgpool", "self_atten", "spatial_mlp"];

    /// <summary>Op names of the expanded middle ("meat") sub-block.</summary>
    public static IReadOnlyList<string> MeatOps { get; } = ["skip", "dwise_3x3"];

    /// <summary>Activation names in the official order.</summary>
    public static IReadOnlyList<string> Activations { get; } = ["skip", "relu6", "gelu", "silu"];

    /// <summary>Official name of a norm.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such norm.</exception>
    public static string Name(NormKind kind) => kind switch
    {
        NormKind.None => "skip",
        NormKind.BatchNorm => "BN",
        NormKind.GroupNorm => "GN",
        NormKind.LayerNorm => "LN",
        _ => throw new ArgumentException($"BurgerFormer has no norm {kind}."),
    };

    /// <summary>Official name of an op.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such op.</exception>
    public static string Name(TokenMixerKind kind) => kind switch
    {
        TokenMixerKind.Identity => "skip",
        TokenMixerKind.DepthwiseConv3x3 => "dwise_3x3",
        TokenMixerKind.Conv1x1 => "conv_1x1",
        TokenMixerKind.Pooling => "avgpool",
        TokenMixerKind.Attention => "self_atten",
        TokenMixerKind.SpatialFc => "spatial_mlp",
        _ => throw new ArgumentException($"BurgerFormer has no op {kind}."),
    };

    /// <summary>Official name of an activation.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such activation.</exception>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.None => "skip",
        ActivationKind.Relu6 => "relu6",
        ActivationKind.Gelu => "gelu",
        ActivationKind.Silu => "silu",
        _ => throw new ArgumentException($"BurgerFormer has no activation {kind}."),
    };

    /// <summary>The norm named <paramref name="name"/> (case-sensitive, as the official lists), or null.</summary>
    public static NormKind? ParseNorm(string name) => name switch
    {
        "skip" => NormKind.None,
        "BN" => NormKind.BatchNorm,
        "GN" => NormKind.GroupNorm,
        "LN" => NormKind.LayerNorm,
        _ => null,
    };

    /// <summary>The op named <paramref name="name"/>, or null.</summary>
    public static TokenMixerKind? ParseOp(string name) => name switch
    {
        "skip" => TokenMixerKind.Identity,
        "dwise_3x3" => TokenMixerKind.DepthwiseConv3x3,
        "conv_1x1" => TokenMixerKind.Conv1x1,
        "avgpool" => TokenMixerKind.Pooling,
        "self_atten" => TokenMixerKind.Attention,
        "spatial_mlp" => TokenMixerKind.SpatialFc,
        _ => null,
    };

    /// <summary>The activation named <paramref name="name"/>, or null.</summary>
    public static ActivationKind? ParseActivation(string name) => name switch
    {
        "skip" => ActivationKind.None,
        "relu6" => ActivationKind.Relu6,
        "gelu" => ActivationKind.Gelu,
        "silu" => ActivationKind.Silu,
        _ => null,
    };
}
