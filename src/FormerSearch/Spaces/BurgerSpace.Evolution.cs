using FormerSearch.Engine;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

public sealed partial class BurgerSpace
{
    private const string ResidualConstraint = "the residual-path rule of every cell (" + BurgerCellRules.ResidualPaths + ")";

    /// <summary>
    /// Official <c>gen_utils.mutate_func</c>: a fresh random architecture donates, per stage, each residual edge and each
    /// whole sub-block (op, norm, position, activation together) with probability P_m, the depth with P_d and the width
    /// and ratio with P_m (the official code uses one probability for all; set both to it to match); redrawn until the
    /// cell rules hold. Unlike the official code, a sub-block that becomes skip also turns off its edge, so every rule holds.
    /// </summary>
    /// <exception cref="UserInputException">The parent is not valid in this space.</exception>
    /// <exception cref="InvalidOperationException">No draw kept a residual path in every cell in 10,000 attempts (each keeps the parent's cells with positive probability, so this is a bug).</exception>
    public override Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        var p = new ChoiceValues(Validate(parent));
        return ChoiceTable.Retry(() => Combine(p, new ChoiceValues(Sample(rng)), settings.DepthProbability, settings.ChoiceProbability, rng), ResidualConstraint);
    }

    /// <summary>Official <c>gen_utils.crossover_func</c>: per stage, each edge, each whole sub-block and each macro choice of <paramref name="b"/> replaces <paramref name="a"/>'s with probability <see cref="CrossoverProbability"/>; redrawn until the cell rules hold.</summary>
    /// <exception cref="UserInputException">A parent is not valid in this space.</exception>
    /// <exception cref="InvalidOperationException">No draw kept a residual path in every cell in 10,000 attempts (each keeps <paramref name="a"/>'s cells with positive probability, so this is a bug).</exception>
    public override Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        var x = new ChoiceValues(Validate(a));
        var y = new ChoiceValues(Validate(b));
        return ChoiceTable.Retry(() => Combine(x, y, CrossoverProbability, CrossoverProbability, rng), ResidualConstraint);
    }

    // One draw of the official per-unit exchange; null when a cell loses its residual path.
    private Architecture? Combine(ChoiceValues baseValues, ChoiceValues donor, double depthP, double choiceP, Generator rng)
    {
        var v = new ChoiceValues(baseValues);
        for (int s = 0; s < 4; s++)
        {
            // The official order: edges, sub-blocks, then all depths, widths, ratios; one uniform draw per unit.
            if (Settings.SearchResidual)
            {
                for (int e = 0; e < BurgerCellRules.Edges; e++)
                {
                    var edge = BurgerChoices.Edge(s, e);
                    bool take = rng.NextDouble() <= choiceP;
                    var (first, second) = take ? (donor, baseValues) : (baseValues, donor);
                    // An edge turned off by a skip op has no value in that parent: the other's stands in.
                    v.CopyFrom(first.Contains(edge) ? first : second, edge);
                }
            }
            for (int k = 0; k < BurgerCellRules.SubBlocks; k++)
            {
                if (rng.NextDouble() > choiceP) continue;
                v.CopyFrom(donor, BurgerChoices.Op(s, k));
                v.CopyFrom(donor, BurgerChoices.NormPosition(s, k));
                v.CopyFrom(donor, BurgerChoices.Norm(s, k));
                v.CopyFrom(donor, BurgerChoices.Activation(s, k));
            }
        }
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= depthP) v.CopyFrom(donor, BurgerChoices.Depth(s));
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= choiceP) v.CopyFrom(donor, BurgerChoices.Width(s));
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= choiceP) v.CopyFrom(donor, BurgerChoices.Ratio(s));
        if (Settings.SearchResidual)
        {
            for (int s = 0; s < 4; s++)
            {
                // An outer sub-block turned non-skip keeps its edge from one of the parents (the one that had it).
                foreach (int k in (int[])[0, 2])
                {
                    var edge = BurgerChoices.Edge(s, BurgerCellRules.EdgeOf(k));
                    if (v.Get(BurgerChoices.Op(s, k)) == TokenMixerKind.Identity || v.Contains(edge)) continue;
                    if (baseValues.Contains(edge)) v.CopyFrom(baseValues, edge);
                    else if (donor.Contains(edge)) v.CopyFrom(donor, edge);
                    else v.Set(edge, true);
                }
                if (!BurgerCellRules.IsResidual(EffectiveEdges(v, s))) return null;
            }
        }
        return Table.Canonical(v);
    }
}
