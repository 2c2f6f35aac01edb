using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Spaces;

/// <summary>BurgerFormer's cell rules, asked by the space, its conversions and the supernet alike.</summary>
public sealed class BurgerCellRulesTests
{
    private const TokenMixerKind Skip = TokenMixerKind.Identity;
    private const TokenMixerKind Dw = TokenMixerKind.DepthwiseConv3x3;

    [Fact]
    public void Attention_and_the_spatial_mlp_only_in_outer_positions_of_attention_stages()
    {
        Assert.Equal([Skip, Dw, TokenMixerKind.Conv1x1, TokenMixerKind.Pooling, TokenMixerKind.Attention, TokenMixerKind.SpatialFc], BurgerCellRules.Ops(0, attentionAndMlp: true));
        Assert.Equal([Skip, Dw, TokenMixerKind.Conv1x1, TokenMixerKind.Pooling], BurgerCellRules.Ops(2, attentionAndMlp: false));
        Assert.Equal([Skip, Dw], BurgerCellRules.Ops(1, attentionAndMlp: true));
        var space = new BurgerSpace("mini");
        Assert.Equal(BurgerCellRules.Ops(0, false), space.Ops(1, 0));
        Assert.Equal(BurgerCellRules.Ops(0, true), space.Ops(2, 0));
    }

    [Fact]
    public void A_skip_op_turns_its_own_edge_off_and_passes_its_input_on()
    {
        Assert.Equal(0, BurgerCellRules.EdgeOf(0));
        Assert.Equal(5, BurgerCellRules.EdgeOf(2));
        bool[] all = [true, true, true, true, true, true], none = new bool[6];
        Assert.Equal([false, true, true, true, true, false], BurgerCellRules.ModelEdges(all, Skip, Skip));
        Assert.Equal([true, true, true, true, true, true], BurgerCellRules.ModelEdges(all, Dw, Dw));
        Assert.Equal([true, false, false, false, false, true], BurgerCellRules.EffectiveEdges(none, Skip, Skip));
        Assert.Equal([false, false, false, false, false, true], BurgerCellRules.EffectiveEdges(none, Dw, Skip));
        // The middle sub-block's skip turns nothing off.
        for (int e = 0; e < 6; e++) Assert.False(BurgerCellRules.IsTurnedOff(e, Dw, Dw));
    }

    [Fact]
    public void One_norm_before_or_after_a_real_op_none_around_skip()
    {
        var pre = BurgerCellRules.Micro(0, TokenMixerKind.Attention, BurgerNormPosition.Pre, NormKind.LayerNorm, ActivationKind.Gelu);
        Assert.Equal("skip-LN-self_atten-skip-gelu", pre.ToMicroString());
        Assert.True(pre.UseLayerScale && pre.IsDrop);
        var post = BurgerCellRules.Micro(1, Dw, BurgerNormPosition.Post, NormKind.BatchNorm, ActivationKind.Relu6);
        Assert.Equal("skip-skip-dwise_3x3-BN-relu6", post.ToMicroString());
        var outerSkip = BurgerCellRules.Micro(2, Skip, BurgerNormPosition.Pre, NormKind.GroupNorm, ActivationKind.Silu);
        Assert.True(outerSkip.IsSkip);
        Assert.False(outerSkip.UseLayerScale || outerSkip.IsDrop);
        var middleSkip = BurgerCellRules.Micro(1, Skip, BurgerNormPosition.Pre, NormKind.GroupNorm, ActivationKind.Silu);
        Assert.True(middleSkip.IsSkip && middleSkip.UseLayerScale && middleSkip.IsDrop);
    }

    [Fact]
    public void The_space_drops_the_choices_the_rules_turn_off()
    {
        var space = new BurgerSpace("mini_residual");
        var a = space.Validate(space.Largest().With("stage2.sub1.op", "skip").With("stage2.sub3.op", "skip"));
        Assert.False(a.Contains(BurgerChoices.Edge(1, 0)));
        Assert.False(a.Contains(BurgerChoices.Edge(1, 5)));
        Assert.False(a.Contains(BurgerChoices.Norm(1, 0)));
        Assert.True(a.Contains(BurgerChoices.Edge(1, 2)));
        var config = space.ToConfig(a);
        Assert.Equal([false, false, true, false, false, false], config.Stages[1].Meso.Edges);
        Assert.Equal(BurgerFormerMesoConfig.FixedEdges, config.Stages[0].Meso.Edges);
    }
}
