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
    // Each kind with its official name, in the official order.
    private static readonly (NormKind Kind, string Name)[] NormNames =
        [(NormKind.None, "skip"), (NormKind.BatchNorm, "BN"), (NormKind.GroupNorm, "GN"), (NormKind.LayerNorm, "LN")];

    private static readonly (TokenMixerKind Kind, string Name)[] OpNames =
    [
        (TokenMixerKind.Identity, "skip"), (TokenMixerKind.DepthwiseConv3x3, "dwise_3x3"), (TokenMixerKind.Conv1x1, "conv_1x1"),
        (TokenMixerKind.Pooling, "avgpool"), (TokenMixerKind.Attention, "self_atten"), (TokenMixerKind.SpatialFc, "spatial_mlp"),
    ];

    private static readonly (ActivationKind Kind, string Name)[] ActivationNames =
        [(ActivationKind.None, "skip"), (ActivationKind.Relu6, "relu6"), (ActivationKind.Gelu, "gelu"), (ActivationKind.Silu, "silu")];

    /// <summary>Norm names in the official order.</summary>
    public static IReadOnlyList<string> Norms { get; } = Array.ConvertAll(NormNames, n => n.Name);

    /// <summary>Op names of the outer ("bread") sub-blocks in the official order; attention and spatial MLP only in stages 3–4 in the official space.</summary>
    public static IReadOnlyList<string> BreadOps { get; } = Array.ConvertAll(OpNames, n => n.Name);

    /// <summary>Op names of the expanded middle ("meat") sub-block.</summary>
    public static IReadOnlyList<string> MeatOps { get; } = ["skip", "dwise_3x3"];

    /// <summary>Activation names in the official order.</summary>
    public static IReadOnlyList<string> Activations { get; } = Array.ConvertAll(ActivationNames, n => n.Name);

    /// <summary>Official name of a norm.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such norm.</exception>
    public static string Name(NormKind kind) => NameOf(NormNames, kind, "norm");

    /// <summary>Official name of an op.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such op.</exception>
    public static string Name(TokenMixerKind kind) => NameOf(OpNames, kind, "op");

    /// <summary>Official name of an activation.</summary>
    /// <exception cref="ArgumentException">BurgerFormer has no such activation.</exception>
    public static string Name(ActivationKind kind) => NameOf(ActivationNames, kind, "activation");

    /// <summary>The norm named <paramref name="name"/> (case-sensitive, as the official lists), or null.</summary>
    public static NormKind? ParseNorm(string name) => Parse(NormNames, name);

    /// <summary>The op named <paramref name="name"/>, or null.</summary>
    public static TokenMixerKind? ParseOp(string name) => Parse(OpNames, name);

    /// <summary>The activation named <paramref name="name"/>, or null.</summary>
    public static ActivationKind? ParseActivation(string name) => Parse(ActivationNames, name);

    /// <summary>The first part of <paramref name="micro"/> BurgerFormer has no name for (<c>"norm Foo"</c>), or null when it has every one.</summary>
    public static string? Unknown(BurgerFormerMicroConfig micro) =>
        Missing(ActivationNames, micro.PreActivation, "activation") ?? Missing(NormNames, micro.PreNorm, "norm") ?? Missing(OpNames, micro.Op, "op")
        ?? Missing(NormNames, micro.PostNorm, "norm") ?? Missing(ActivationNames, micro.Activation, "activation");

    private static string NameOf<T>((T Kind, string Name)[] table, T kind, string what) where T : struct, Enum
    {
        foreach (var (k, name) in table) if (k.Equals(kind)) return name;
        throw new ArgumentException($"BurgerFormer has no {what} {kind}.");
    }

    private static T? Parse<T>((T Kind, string Name)[] table, string name) where T : struct, Enum
    {
        foreach (var (kind, n) in table) if (n == name) return kind;
        return null;
    }

    private static string? Missing<T>((T Kind, string Name)[] table, T kind, string what) where T : struct, Enum
    {
        foreach (var (k, _) in table) if (k.Equals(kind)) return null;
        return $"{what} {kind}";
    }
}
