using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// One block of a BurgerFormer supernet (official <c>search_block.SearchBlock</c>): three <see cref="BurgerSuperSubBlock"/>
/// positions, the middle one expanded, wired by the active cell's residual edges exactly as the standalone
/// <see cref="BurgerFormerBlock"/> (edges hold no weights).
/// </summary>
public sealed class BurgerSuperBlock : Module
{
    private readonly BurgerSuperSubBlock _sub1, _sub2, _sub3;
    private BurgerCellEdges _edges;

    /// <summary>A block of up to <paramref name="maxDim"/> channels and expansion <paramref name="maxRatio"/>, offering <paramref name="outerOps"/> in the outer positions and <paramref name="middleOps"/> in the middle.</summary>
    public BurgerSuperBlock(int maxDim, int maxRatio, IReadOnlyList<TokenMixerKind> outerOps, IReadOnlyList<TokenMixerKind> middleOps, int numHeads,
        int height, int width, float layerScaleInit, Generator generator)
    {
        var subs = new ModuleList<BurgerSuperSubBlock>();
        subs.Add(new BurgerSuperSubBlock(maxDim, 0, outerOps, numHeads, height, width, layerScaleInit, generator));
        subs.Add(new BurgerSuperSubBlock(maxDim, maxRatio, middleOps, numHeads, height, width, layerScaleInit, generator));
        subs.Add(new BurgerSuperSubBlock(maxDim, 0, outerOps, numHeads, height, width, layerScaleInit, generator));
        RegisterModule("norm_op_act_blocks", subs);
        (_sub1, _sub2, _sub3) = (subs[0], subs[1], subs[2]);
    }

    /// <summary>Selects the stage's width, ratio and cell, with this block's stochastic depth.</summary>
    public void Activate(int width, int ratio, BurgerFormerMesoConfig meso, float dropPath)
    {
        _sub1.Activate(width, ratio, meso.SubBlocks[0], dropPath);
        _sub2.Activate(width, ratio, meso.SubBlocks[1], dropPath);
        _sub3.Activate(width, ratio, meso.SubBlocks[2], dropPath);
        _edges = BurgerCellEdges.Of(meso);
    }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    public Tensor Forward(Tensor x0) => _edges.Forward(_sub1, _sub2, _sub3, x0);
}
