using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>
/// Logits and input gradients of small MetaFormer hybrids (pooling, 2-head / 1-head attention after a position
/// embedding, spatial FC, identity; GroupNorm and LayerNormChannel) against the official sail-sg/poolformer code,
/// with the official state dict loaded through <c>LoadStateDict(pytorchLayout: true)</c>.
/// Vectors from <c>Models/Golden/make_metaformer.py</c> (float64 in torch; float32 here, tolerance 1e-4 relative to the largest value).
/// </summary>
public sealed class MetaFormerGoldenTests
{
    [Theory]
    [InlineData("gn", NormKind.GroupNorm, new[] { 8, 32, 8, 16 }, 2f, 16)]
    [InlineData("lnc", NormKind.LayerNorm, new[] { 8, 32, 8, 8 }, 1f, 32)]
    public void Forward_and_input_gradient_match_the_official_code(string name, NormKind norm, int[] widths, float mlpRatio, int headDim)
    {
        var golden = GoldenAssert.Load("metaformer");
        GoldenAssert.ForwardAndInputGradient(Build(golden, name + ".state.", norm, widths, mlpRatio, headDim), golden, name + ".");
    }

    /// <summary>The script's hybrid MetaFormer for 3×24×24 images and 5 classes, with the official state under <paramref name="prefix"/> loaded.</summary>
    internal static PoolFormer Build(Dictionary<string, Tensor> golden, string prefix, NormKind norm, int[] widths, float mlpRatio, int headDim)
    {
        var config = new PoolFormerConfig
        {
            Depths = [1, 1, 2, 1],
            Widths = widths,
            Mixers = [TokenMixerKind.Pooling, TokenMixerKind.Attention, TokenMixerKind.SpatialFc, TokenMixerKind.Identity],
            PositionEmbeddings = [false, true, false, false],
            Norm = norm,
            MlpRatio = mlpRatio,
            AttentionHeadDim = headDim,
        };
        var model = new PoolFormer(config, ModelOptions.For(new ModelInput(3, 24, 24), numClasses: 5));
        model.LoadStateDict(GoldenAssert.Section(golden, prefix), strict: true, pytorchLayout: true);
        return model;
    }
}
