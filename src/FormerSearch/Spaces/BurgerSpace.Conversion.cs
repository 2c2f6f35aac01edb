using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

public sealed partial class BurgerSpace
{
    /// <summary>
    /// The zoo configuration of <paramref name="architecture"/>, as the official <c>weight2_arch</c> writes it (each
    /// sub-block by <see cref="BurgerCellRules.Micro"/>), with the edges (fixed pattern or searched) the outer skip ops
    /// leave on.
    /// </summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    public override BurgerFormerConfig ToConfig(Architecture architecture)
    {
        var v = new ChoiceValues(Validate(architecture));
        var stages = new BurgerFormerStageConfig[4];
        for (int s = 0; s < 4; s++)
        {
            var subs = new BurgerFormerMicroConfig[BurgerCellRules.SubBlocks];
            for (int k = 0; k < subs.Length; k++)
            {
                v.TryGet(BurgerChoices.NormPosition(s, k), out var position);
                v.TryGet(BurgerChoices.Norm(s, k), out var norm);
                v.TryGet(BurgerChoices.Activation(s, k), out var activation);
                subs[k] = BurgerCellRules.Micro(k, v.Get(BurgerChoices.Op(s, k)), position, norm, activation);
            }
            var edges = new bool[BurgerCellRules.Edges];
            for (int e = 0; e < edges.Length; e++)
                edges[e] = Settings.SearchResidual ? v.TryGet(BurgerChoices.Edge(s, e), out bool on) && on : BurgerFormerMesoConfig.FixedEdges[e];
            stages[s] = new BurgerFormerStageConfig
            {
                Depth = v.Get(BurgerChoices.Depth(s)),
                Width = v.Get(BurgerChoices.Width(s)),
                Ratio = v.Get(BurgerChoices.Ratio(s)),
                Meso = new BurgerFormerMesoConfig { SubBlocks = subs, Edges = BurgerCellRules.ModelEdges(edges, subs[0].Op, subs[2].Op) },
            };
        }
        return new BurgerFormerConfig { Stages = stages, StemStride = Settings.StemStride };
    }

    /// <summary>The architecture of this space that <paramref name="config"/> is (the inverse of <see cref="ToConfig"/>).</summary>
    /// <exception cref="UserInputException">The configuration is not a valid BurgerFormer, or is outside this space; the message names the stage, sub-block and rule.</exception>
    public Architecture FromConfig(BurgerFormerConfig config)
    {
        try { config.Validate(); }
        catch (ArgumentException e) { throw new UserInputException($"The configuration is not a valid BurgerFormer: {e.Message}", e); }
        if (!config.AttentionHeads.SequenceEqual([0, 0, 4, 8]) || config.StemChannels != 24 || config.StemStride != Settings.StemStride || config.LayerScaleInit != 1e-5f)
            throw new UserInputException($"The configuration changes what the space fixes (attention heads [-, -, 4, 8], a 24-channel stem of stride {Settings.StemStride}, layer scales from 1e-5).");
        var v = new ChoiceValues();
        for (int s = 0; s < 4; s++)
        {
            var stage = config.Stages[s];
            v.Set(BurgerChoices.Depth(s), stage.Depth);
            v.Set(BurgerChoices.Width(s), stage.Width);
            v.Set(BurgerChoices.Ratio(s), stage.Ratio);
            for (int k = 0; k < BurgerCellRules.SubBlocks; k++) SubBlockInto(v, s, k, stage.Meso.SubBlocks[k]);
            var (op1, op3) = (stage.Meso.SubBlocks[0].Op, stage.Meso.SubBlocks[2].Op);
            for (int e = 0; e < BurgerCellRules.Edges; e++)
            {
                bool edge = stage.Meso.Edges[e], turnedOff = BurgerCellRules.IsTurnedOff(e, op1, op3);
                string key = BurgerFormerMesoConfig.EdgeKeys[e];
                if (turnedOff && edge)
                    throw new UserInputException($"stage-{s + 1} has edge {key} on around a skip sub-block; the space turns it off.");
                if (Settings.SearchResidual)
                {
                    if (!turnedOff) v.Set(BurgerChoices.Edge(s, e), edge);
                }
                else if (!turnedOff && edge != BurgerFormerMesoConfig.FixedEdges[e])
                    throw new UserInputException($"stage-{s + 1} has edge {key} {(edge ? "on" : "off")}; preset {Preset} fixes the pattern 0->1, 1->2, 2->3 (use a _residual preset to search edges).");
            }
        }
        return Table.Canonical(v);
    }

    /// <summary>The official dictionary of <paramref name="architecture"/> as JSON (<see cref="BurgerFormerArchFormat.ToJson"/>).</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    public string ToOfficialJson(Architecture architecture) => BurgerFormerArchFormat.ToJson(ToConfig(architecture));

    /// <summary>The official dictionary of <paramref name="architecture"/> as a Python assignment (<see cref="BurgerFormerArchFormat.ToPython"/>).</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not an identifier.</exception>
    public string ToOfficialPython(Architecture architecture, string name = "arch") => BurgerFormerArchFormat.ToPython(ToConfig(architecture), name);

    /// <summary>
    /// Reads an official dictionary (Python literal or JSON; <paramref name="name"/> picks one of several) as an architecture of this space.
    /// The dictionary holds the stages only; the stem is this space's.
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not a valid dictionary.</exception>
    /// <exception cref="UserInputException">The dictionary is outside this space.</exception>
    public Architecture FromOfficial(string text, string source, string? name = null) =>
        FromConfig(BurgerFormerArchFormat.Parse(text, source, name) with { StemStride = Settings.StemStride });

    // Sub-block k of an official configuration as choices, or why the space has no such sub-block.
    private static void SubBlockInto(ChoiceValues v, int s, int k, BurgerFormerMicroConfig m)
    {
        string where = $"stage-{s + 1} sub-block {k + 1} ('{m.ToMicroString()}')";
        if (m.PreActivation != ActivationKind.None)
            throw new UserInputException($"{where} uses its first activation, which the space never does.");
        bool on = BurgerCellRules.ScalesOutput(k, m.Op);
        if (m.UseLayerScale != on || m.IsDrop != on)
            throw new UserInputException($"{where} has use_layer_scale {m.UseLayerScale} and is_drop {m.IsDrop}; the space has both {on} there (off only for a skip op outside the middle).");
        v.Set(BurgerChoices.Op(s, k), m.Op);
        if (!BurgerCellRules.HasNormAndActivation(m.Op))
        {
            if (!m.IsSkip) throw new UserInputException($"{where} has a norm or activation around a skip op; the space has none there.");
            return;
        }
        if ((m.PreNorm == NormKind.None) == (m.PostNorm == NormKind.None))
            throw new UserInputException($"{where} needs exactly one norm, before or after its op.");
        bool pre = m.PreNorm != NormKind.None;
        v.Set(BurgerChoices.NormPosition(s, k), pre ? BurgerNormPosition.Pre : BurgerNormPosition.Post);
        v.Set(BurgerChoices.Norm(s, k), pre ? m.PreNorm : m.PostNorm);
        v.Set(BurgerChoices.Activation(s, k), m.Activation);
    }
}
