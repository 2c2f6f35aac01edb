using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// One BurgerFormer block (official <c>Block</c>): three <see cref="BurgerFormerSubBlock"/>s in a row, the middle one
/// expanded, each output plus the block's residual edges into it (see <see cref="BurgerFormerMesoConfig"/>).
/// The official edges are parameter-free <c>skip_blocks</c>; only <c>norm_mixer_act_blocks.{0,1,2}</c> hold state.
/// </summary>
/// <remarks>
/// The official forward adds edges in place (<c>out += outs[j]</c>). When an outer sub-block is a bare identity
/// (all parts skip, no layer scale, no active drop path) its output is its input tensor, so those in-place adds
/// also change the earlier node. This block computes the sums out of place. The two agree whenever no edge reads
/// a node after such an add changed it, which the official sampling guarantees (<c>arch_generate</c>: a skip op
/// turns off the sub-block's own edge i->i+1 and its layer scale; with the fixed pattern every other edge into it is
/// off too); they differ only for hand-written dictionaries such as a bare identity sub-block 1 with edges 0->1
/// and 0->2, where the official code would feed 2·x0 into the 0->2 edge.
/// </remarks>
public sealed class BurgerFormerBlock : Layer
{
    private readonly BurgerFormerSubBlock _sub1;
    private readonly BurgerFormerSubBlock _sub2;
    private readonly BurgerFormerSubBlock _sub3;
    private readonly BurgerCellEdges _edges;

    /// <summary>A block of <paramref name="meso"/> over <paramref name="dim"/> channels of an <paramref name="height"/>×<paramref name="width"/> map.</summary>
    /// <param name="dim">Channels.</param>
    /// <param name="meso">Sub-blocks and edges.</param>
    /// <param name="expandRatio">Expansion of the middle sub-block.</param>
    /// <param name="numHeads">Attention heads of attention sub-blocks.</param>
    /// <param name="height">Map height.</param>
    /// <param name="width">Map width.</param>
    /// <param name="layerScaleInit">Initial layer scale.</param>
    /// <param name="dropPath">Stochastic depth of this block, applied to the sub-blocks whose <c>is_drop</c> is on.</param>
    /// <param name="generator">Draws the weights and the drop-path masks.</param>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public BurgerFormerBlock(int dim, BurgerFormerMesoConfig meso, int expandRatio, int numHeads, int height, int width,
        float layerScaleInit, float dropPath, Generator generator)
    {
        var subs = new ModuleList<BurgerFormerSubBlock>();
        for (int i = 0; i < 3; i++)
        {
            var micro = meso.SubBlocks[i];
            subs.Add(new BurgerFormerSubBlock(dim, micro, i == 1 ? expandRatio : 0, numHeads, height, width, layerScaleInit,
                micro.IsDrop ? dropPath : 0f, generator));
        }
        RegisterModule("norm_mixer_act_blocks", subs);
        (_sub1, _sub2, _sub3) = (subs[0], subs[1], subs[2]);
        _edges = BurgerCellEdges.Of(meso);
    }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    public override Tensor Forward(Tensor x0) => _edges.Forward(_sub1, _sub2, _sub3, x0);
}
