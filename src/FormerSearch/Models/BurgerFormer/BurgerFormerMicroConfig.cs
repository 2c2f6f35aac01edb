using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// One Norm-Op-Norm-Act sub-block of a BurgerFormer block: the official five-part micro string
/// <c>act-norm-op-norm-act</c> (<c>'skip-GN-dwise_3x3-skip-gelu'</c>; <c>arch_generate.weight2_arch</c> writes the
/// parts in that order and the official <c>NormMixerActBlock</c> applies every non-skip part in string order),
/// plus the two per-sub-block flags the official <c>meso</c> dictionary keeps in lists.
/// </summary>
public sealed record BurgerFormerMicroConfig
{
    /// <summary>First activation. Official architectures always leave it <see cref="ActivationKind.None"/> ("not used"), but the model applies it if set.</summary>
    public ActivationKind PreActivation { get; init; } = ActivationKind.None;

    /// <summary>Norm before the op (<c>skip</c>, <c>BN</c>, <c>GN</c>, <c>LN</c>). Default: none.</summary>
    public NormKind PreNorm { get; init; } = NormKind.None;

    /// <summary>The op: <see cref="TokenMixerKind.Identity"/> (<c>skip</c>), <see cref="TokenMixerKind.DepthwiseConv3x3"/>, <see cref="TokenMixerKind.Conv1x1"/>, <see cref="TokenMixerKind.Pooling"/> (<c>avgpool</c>), <see cref="TokenMixerKind.Attention"/> (<c>self_atten</c>) or <see cref="TokenMixerKind.SpatialFc"/> (<c>spatial_mlp</c>, with bias). Default: skip.</summary>
    public TokenMixerKind Op { get; init; } = TokenMixerKind.Identity;

    /// <summary>Norm after the op. Default: none.</summary>
    public NormKind PostNorm { get; init; } = NormKind.None;

    /// <summary>Last activation (<c>skip</c>, <c>relu6</c>, <c>gelu</c>, <c>silu</c>). Default: none.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.None;

    /// <summary>A learned per-channel scale on the sub-block's output (meso <c>use_layer_scale[i]</c>). Default: on.</summary>
    public bool UseLayerScale { get; init; } = true;

    /// <summary>Stochastic depth on the sub-block's output (meso <c>is_drop[i]</c>). Default: on.</summary>
    public bool IsDrop { get; init; } = true;

    /// <summary>True when every part is skip: the sub-block computes nothing but its layer scale.</summary>
    public bool IsSkip => PreActivation == ActivationKind.None && PreNorm == NormKind.None && Op == TokenMixerKind.Identity
        && PostNorm == NormKind.None && Activation == ActivationKind.None;

    /// <summary>The official micro string, <c>act-norm-op-norm-act</c>.</summary>
    public string ToMicroString() =>
        $"{BurgerFormerVocabulary.Name(PreActivation)}-{BurgerFormerVocabulary.Name(PreNorm)}-{BurgerFormerVocabulary.Name(Op)}-{BurgerFormerVocabulary.Name(PostNorm)}-{BurgerFormerVocabulary.Name(Activation)}";
}
