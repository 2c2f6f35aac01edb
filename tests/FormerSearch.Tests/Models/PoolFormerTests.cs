using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>PoolFormer configurations the model cannot be built from are input errors that name the bad setting.</summary>
public sealed class PoolFormerTests
{
    private static readonly PoolFormerConfig S12 = new() { Depths = [2, 2, 6, 2], Widths = [64, 128, 320, 512] };

    [Theory]
    [InlineData("pool", "pooling window")]
    [InlineData("head", "head width")]
    [InlineData("stem", "kernels and strides")]
    [InlineData("mlp", "MLP width")]
    [InlineData("attention", "not divisible by the attention head width 48")]
    public void An_impossible_setting_is_one_sentence_naming_it(string what, string expected)
    {
        var config = what switch
        {
            "pool" => S12 with { PoolSize = 2 },
            "head" => S12 with { AttentionHeadDim = 0 },
            "stem" => S12 with { Stem = (0, 4, 2) },
            "mlp" => S12 with { MlpRatio = 0.001f },
            _ => S12 with { Mixers = [TokenMixerKind.Pooling, TokenMixerKind.Pooling, TokenMixerKind.Pooling, TokenMixerKind.Attention], AttentionHeadDim = 48 },
        };
        var e = Assert.Throws<UserInputException>(() => new PoolFormer(config, ModelOptions.For(new ModelInput(3, 64, 64))));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        S12.Validate();
    }
}
