using System.Numerics;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

public sealed partial class BurgerSpace
{
    // Per stage: the macro choices times the cells, a cell being its three sub-blocks and (searched) the edge sets
    // that keep a residual path, an edge a skip op turns off counted once, as present for the rule.
    private BigInteger CountArchitectures()
    {
        BigInteger total = BigInteger.One;
        int withOp = Positions.Length * BurgerCellRules.Norms.Count * Activations.Count;   // 24 per non-skip op
        for (int s = 0; s < 4; s++)
        {
            total *= Settings.Depths[s].Count * Settings.Widths[s].Count * Settings.Ratios[s].Count;
            BigInteger outerWithOp = (Ops(s, 0).Count - 1) * withOp;
            BigInteger middle = 1 + (Ops(s, 1).Count - 1) * withOp;
            if (!Settings.SearchResidual)
            {
                total *= (1 + outerWithOp) * (1 + outerWithOp) * middle;
                continue;
            }
            BigInteger cell = BigInteger.Zero;
            foreach (bool skip1 in (bool[])[false, true])
            {
                foreach (bool skip3 in (bool[])[false, true])
                {
                    // Any op stands for a non-skip one: only whether it is skip matters to the edges.
                    var op1 = skip1 ? TokenMixerKind.Identity : TokenMixerKind.DepthwiseConv3x3;
                    var op3 = skip3 ? TokenMixerKind.Identity : TokenMixerKind.DepthwiseConv3x3;
                    int edgeSets = 0;
                    for (int mask = 0; mask < 1 << BurgerCellRules.Edges; mask++)
                    {
                        var e = new bool[BurgerCellRules.Edges];
                        bool repeated = false;
                        for (int i = 0; i < e.Length; i++)
                        {
                            e[i] = (mask >> i & 1) == 1;
                            repeated |= BurgerCellRules.IsTurnedOff(i, op1, op3) && !e[i];
                        }
                        if (!repeated && BurgerCellRules.IsResidual(e)) edgeSets++;
                    }
                    cell += (skip1 ? 1 : outerWithOp) * (skip3 ? 1 : outerWithOp) * middle * edgeSets;
                }
            }
            total *= cell;
        }
        return total;
    }
}
