using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The residual edges of a BurgerFormer cell (node 0 is the cell's input, node i the output of sub-block i), read once
/// from its <see cref="BurgerFormerMesoConfig"/>, and the forward they wire: each sub-block's output plus every edge
/// into it, summed out of place. The standalone block and the supernet block share it.
/// </summary>
public readonly record struct BurgerCellEdges(bool E01, bool E02, bool E12, bool E03, bool E13, bool E23)
{
    /// <summary>The edges <paramref name="meso"/> turns on.</summary>
    public static BurgerCellEdges Of(BurgerFormerMesoConfig meso) =>
        new(meso.HasEdge(0, 1), meso.HasEdge(0, 2), meso.HasEdge(1, 2), meso.HasEdge(0, 3), meso.HasEdge(1, 3), meso.HasEdge(2, 3));

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c> through the three sub-blocks and these edges.</summary>
    public Tensor Forward(ILayer sub1, ILayer sub2, ILayer sub3, Tensor x0)
    {
        var x1 = sub1.Forward(x0);
        if (E01) x1 = Functional.Add(x1, x0);
        var x2 = sub2.Forward(x1);
        if (E02) x2 = Functional.Add(x2, x0);
        if (E12) x2 = Functional.Add(x2, x1);
        var x3 = sub3.Forward(x2);
        if (E03) x3 = Functional.Add(x3, x0);
        if (E13) x3 = Functional.Add(x3, x1);
        if (E23) x3 = Functional.Add(x3, x2);
        return x3;
    }
}
