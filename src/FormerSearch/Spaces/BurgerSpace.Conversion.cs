using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

public sealed partial class BurgerSpace
{
    /// <summary>
    /// The zoo configuration of <paramref name="architecture"/>, as the official <c>weight2_arch</c> writes it: first
    /// activation unused, the one norm before or after the op, layer scale and drop path on except in an all-skip outer
    /// sub-block, and the edges (fixed pattern or searched).
    /// </summary>
    /// <exception cref="ArgumentException">The architecture is not valid in this space.</exception>
    public BurgerFormerConfig ToConfig(Architecture architecture)
    {
        var a = Validate(architecture);
        var stages = new BurgerFormerStageConfig[4];
        for (int s = 0; s < 4; s++)
        {
            var subs = new BurgerFormerMicroConfig[3];
            for (int k = 0; k < 3; k++)
            {
                string op = a[SubName(s, k, "op")];
                bool on = k == 1 || op != Skip;
                var micro = new BurgerFormerMicroConfig { UseLayerScale = on, IsDrop = on };
                if (op != Skip)
                {
                    var norm = BurgerFormerVocabulary.ParseNorm(a[SubName(s, k, "norm")])!.Value;
                    bool pre = a[SubName(s, k, "norm_pos")] == "pre";
                    micro = micro with
                    {
                        Op = BurgerFormerVocabulary.ParseOp(op)!.Value,
                        PreNorm = pre ? norm : NormKind.None,
                        PostNorm = pre ? NormKind.None : norm,
                        Activation = BurgerFormerVocabulary.ParseActivation(a[SubName(s, k, "act")])!.Value,
                    };
                }
                subs[k] = micro;
            }
            var edges = new bool[6];
            for (int e = 0; e < 6; e++)
            {
                if (Settings.SearchResidual) edges[e] = a.Contains(EdgeName(s, e)) && a[EdgeName(s, e)] == Skip;
                else edges[e] = BurgerFormerMesoConfig.FixedEdges[e];
            }
            // The official sampler turns off the edge of a skip op in sub-block 1 or 3.
            if (subs[0].Op == TokenMixerKind.Identity) edges[0] = false;
            if (subs[2].Op == TokenMixerKind.Identity) edges[5] = false;
            stages[s] = new BurgerFormerStageConfig
            {
                Depth = a.Int(StageName(s, "depth")),
                Width = a.Int(StageName(s, "width")),
                Ratio = a.Int(StageName(s, "ratio")),
                Meso = new BurgerFormerMesoConfig { SubBlocks = subs, Edges = edges },
            };
        }
        return new BurgerFormerConfig { Stages = stages };
    }

    /// <summary>The architecture of this space that <paramref name="config"/> is (the inverse of <see cref="ToConfig"/>).</summary>
    /// <exception cref="ArgumentException">The configuration is outside this space; the message names the stage, sub-block and rule.</exception>
    public Architecture FromConfig(BurgerFormerConfig config)
    {
        config.Validate();
        if (!config.AttentionHeads.SequenceEqual([0, 0, 4, 8]) || config.StemChannels != 24 || config.LayerScaleInit != 1e-5f)
            throw new ArgumentException("The configuration changes what the space fixes (attention heads [-, -, 4, 8], a 24-channel stem, layer scales from 1e-5).");
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int s = 0; s < 4; s++)
        {
            var stage = config.Stages[s];
            v[StageName(s, "depth")] = stage.Depth.ToString(CultureInfo.InvariantCulture);
            v[StageName(s, "width")] = stage.Width.ToString(CultureInfo.InvariantCulture);
            v[StageName(s, "ratio")] = stage.Ratio.ToString(CultureInfo.InvariantCulture);
            for (int k = 0; k < 3; k++)
            {
                var m = stage.Meso.SubBlocks[k];
                string where = $"stage-{s + 1} sub-block {k + 1} ('{m.ToMicroString()}')";
                if (m.PreActivation != ActivationKind.None)
                    throw new ArgumentException($"{where} uses its first activation, which the space never does.");
                bool on = k == 1 || m.Op != TokenMixerKind.Identity;
                if (m.UseLayerScale != on || m.IsDrop != on)
                    throw new ArgumentException($"{where} has use_layer_scale {m.UseLayerScale} and is_drop {m.IsDrop}; the space has both {on} there (off only for a skip op outside the middle).");
                v[SubName(s, k, "op")] = BurgerFormerVocabulary.Name(m.Op);
                if (m.Op == TokenMixerKind.Identity)
                {
                    if (!m.IsSkip) throw new ArgumentException($"{where} has a norm or activation around a skip op; the space has none there.");
                    continue;
                }
                if ((m.PreNorm == NormKind.None) == (m.PostNorm == NormKind.None))
                    throw new ArgumentException($"{where} needs exactly one norm, before or after its op.");
                bool pre = m.PreNorm != NormKind.None;
                v[SubName(s, k, "norm_pos")] = pre ? "pre" : "post";
                v[SubName(s, k, "norm")] = BurgerFormerVocabulary.Name(pre ? m.PreNorm : m.PostNorm);
                v[SubName(s, k, "act")] = BurgerFormerVocabulary.Name(m.Activation);
            }
            bool skip1 = stage.Meso.SubBlocks[0].Op == TokenMixerKind.Identity;
            bool skip3 = stage.Meso.SubBlocks[2].Op == TokenMixerKind.Identity;
            for (int e = 0; e < 6; e++)
            {
                bool edge = stage.Meso.Edges[e];
                bool forcedOff = (e == 0 && skip1) || (e == 5 && skip3);
                if (forcedOff && edge)
                    throw new ArgumentException($"stage-{s + 1} has edge {BurgerFormerMesoConfig.EdgeKeys[e]} on around a skip sub-block; the space turns it off.");
                if (Settings.SearchResidual)
                {
                    if (!forcedOff) v[EdgeName(s, e)] = edge ? Skip : None;
                }
                else if (!forcedOff && edge != BurgerFormerMesoConfig.FixedEdges[e])
                    throw new ArgumentException($"stage-{s + 1} has edge {BurgerFormerMesoConfig.EdgeKeys[e]} {(edge ? "on" : "off")}; preset {Preset} fixes the pattern 0->1, 1->2, 2->3 (use a _residual preset to search edges).");
            }
        }
        foreach (var (name, value) in v)
        {
            if (_byName.TryGetValue(name, out var choice) && !choice.Allows(value))
                throw new ArgumentException($"Choice '{name}' of space {Name}/{Preset} does not allow '{value}'; it allows {string.Join(", ", choice.Values)}.");
        }
        return Canonical(v);
    }

    /// <summary>The official dictionary of <paramref name="architecture"/> as JSON (<see cref="BurgerFormerArchFormat.ToJson"/>).</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in this space.</exception>
    public string ToOfficialJson(Architecture architecture) => BurgerFormerArchFormat.ToJson(ToConfig(architecture));

    /// <summary>The official dictionary of <paramref name="architecture"/> as a Python assignment (<see cref="BurgerFormerArchFormat.ToPython"/>).</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in this space, or <paramref name="name"/> is not an identifier.</exception>
    public string ToOfficialPython(Architecture architecture, string name = "arch") => BurgerFormerArchFormat.ToPython(ToConfig(architecture), name);

    /// <summary>Reads an official dictionary (Python literal or JSON; <paramref name="name"/> picks one of several) as an architecture of this space.</summary>
    /// <exception cref="InvalidDataException">The text is not a valid dictionary.</exception>
    /// <exception cref="ArgumentException">The dictionary is outside this space.</exception>
    public Architecture FromOfficial(string text, string source, string? name = null) => FromConfig(BurgerFormerArchFormat.Parse(text, source, name));
}
