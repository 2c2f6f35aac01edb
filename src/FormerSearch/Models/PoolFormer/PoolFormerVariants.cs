using FormerSearch.Models.Blocks;

namespace FormerSearch.Models;

/// <summary>
/// The registered PoolFormer and MetaFormer-baseline variants: each is its depths, widths and (for the
/// baselines) mixers handed to <see cref="PoolFormer"/>, as in sail-sg/poolformer's model functions.
/// The baselines are named without the official <c>_224</c> suffix; their spatial FCs and position
/// embeddings take the stage's map size at the chosen input (7×7 and 14×14 at 224).
/// </summary>
public static class PoolFormerVariants
{
    private static readonly int[] S12 = [2, 2, 6, 2];
    private static readonly int[] SmallWidths = [64, 128, 320, 512];
    private static readonly int[] MediumWidths = [96, 192, 384, 768];
    private const TokenMixerKind P = TokenMixerKind.Pooling, A = TokenMixerKind.Attention, F = TokenMixerKind.SpatialFc;

    /// <summary>Registry entries, in order.</summary>
    public static IEnumerable<ModelEntry> All()
    {
        yield return Entry("poolformer_s12", "PoolFormer", new() { Depths = S12, Widths = SmallWidths });
        yield return Entry("poolformer_s24", "PoolFormer", new() { Depths = [4, 4, 12, 4], Widths = SmallWidths });
        yield return Entry("poolformer_s36", "PoolFormer", new() { Depths = [6, 6, 18, 6], Widths = SmallWidths, LayerScaleInit = 1e-6f });
        yield return Entry("poolformer_m36", "PoolFormer", new() { Depths = [6, 6, 18, 6], Widths = MediumWidths, LayerScaleInit = 1e-6f });
        yield return Entry("poolformer_m48", "PoolFormer", new() { Depths = [8, 8, 24, 8], Widths = MediumWidths, LayerScaleInit = 1e-6f });

        // Not an official model: the S12 layout scaled to 28×28 one-channel images (Fashion-MNIST/MNIST) — widths
        // 32–256 and a 3×3 stride-2 stem, so the stages see 14, 7, 4 and 2 pixels instead of 7, 4, 2 and 1.
        yield return Entry("poolformer_mini", "PoolFormer", new() { Depths = S12, Widths = [32, 64, 128, 256], Stem = (3, 2, 1) }, new ModelInput(1, 28, 28), official: false);

        yield return Entry("metaformer_id_s12", "MetaFormer", new() { Depths = S12, Widths = SmallWidths, Mixers = [TokenMixerKind.Identity, TokenMixerKind.Identity, TokenMixerKind.Identity, TokenMixerKind.Identity] });
        // The attention hybrids keep the MetaFormer constructor's default norm, LayerNormChannel.
        yield return Entry("metaformer_pppa_s12", "MetaFormer", new() { Depths = S12, Widths = SmallWidths, Mixers = [P, P, P, A], PositionEmbeddings = [false, false, false, true], Norm = NormKind.LayerNorm });
        yield return Entry("metaformer_ppaa_s12", "MetaFormer", new() { Depths = S12, Widths = SmallWidths, Mixers = [P, P, A, A], PositionEmbeddings = [false, false, true, false], Norm = NormKind.LayerNorm });
        yield return Entry("metaformer_pppf_s12", "MetaFormer", new() { Depths = S12, Widths = SmallWidths, Mixers = [P, P, P, F] });
        yield return Entry("metaformer_ppff_s12", "MetaFormer", new() { Depths = S12, Widths = SmallWidths, Mixers = [P, P, F, F] });
    }

    private static ModelEntry Entry(string name, string family, PoolFormerConfig config, ModelInput? input = null, bool official = true) =>
        new(name, family, input ?? ModelInput.ImageNet, o => new PoolFormer(config, o), o => PoolFormer.Profile(name, config, o), official);
}
