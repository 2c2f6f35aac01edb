using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Burger;

namespace FormerSearch.Spaces;

/// <summary>
/// BurgerFormer's micro-meso-macro space (Yang et al., ICML 2022; official <c>search_config.py</c> and
/// <c>arch_generate.py</c>); choices in <see cref="BurgerChoices"/>. Per stage, one cell shared by all its blocks:
/// <list type="bullet">
/// <item>macro (<see cref="ChoiceKind.Size"/>): <c>stageS.depth</c>, <c>stageS.width</c>, <c>stageS.ratio</c>;</item>
/// <item>micro (<see cref="ChoiceKind.Operation"/>), for sub-blocks 1–3: <c>stageS.subK.op</c> (bread ops for 1 and 3,
/// <c>skip</c>/<c>dwise_3x3</c> for the expanded 2; attention and spatial MLP only where the preset allows), and when the
/// op is not skip <c>stageS.subK.norm_pos</c> (<c>pre</c>/<c>post</c>), <c>stageS.subK.norm</c> (<c>BN</c>/<c>GN</c>/<c>LN</c>)
/// and <c>stageS.subK.act</c> (<c>skip</c>/<c>relu6</c>/<c>gelu</c>/<c>silu</c>);</item>
/// <item>meso (only with <see cref="BurgerSpaceSettings.SearchResidual"/>): <c>stageS.edge.J->I</c> ∈ {skip, none}.</item>
/// </list>
/// The official cell rules are <see cref="BurgerCellRules"/>'s; a sub-block's first activation is never used.
/// </summary>
public sealed partial class BurgerSpace : SearchSpace<BurgerSpaceSettings, BurgerFormerConfig>
{
    /// <summary>The registered space name.</summary>
    public const string SpaceName = "burger";

    /// <summary>Probability that crossover takes a unit (a sub-block, an edge, a macro choice) from the second parent: the official <c>search_evo.py</c> passes its <c>--mutate-prob</c> (default 0.3) to <c>crossover_func</c>.</summary>
    public const double CrossoverProbability = 0.3;

    /// <summary>The presets: the official space, the small one, each with searched residual edges, a narrower small one, and the small ones with a stride-2 stem.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["mini", "imagenet", "mini_residual", "imagenet_residual", "micro", "mini_stem2", "micro_stem2"];

    private static readonly BurgerNormPosition[] Positions = [BurgerNormPosition.Pre, BurgerNormPosition.Post];

    /// <summary>The space of preset <paramref name="preset"/> (see <see cref="PresetNames"/>).</summary>
    /// <exception cref="UserInputException">Unknown preset.</exception>
    public BurgerSpace(string preset)
        : this(preset, preset switch
        {
            "mini" => BurgerSpaceSettings.Mini,
            "micro" => BurgerSpaceSettings.Micro,
            "mini_stem2" => BurgerSpaceSettings.MiniStem2,
            "micro_stem2" => BurgerSpaceSettings.MicroStem2,
            "imagenet" => BurgerSpaceSettings.ImageNet,
            "mini_residual" => BurgerSpaceSettings.Mini with { SearchResidual = true },
            "imagenet_residual" => BurgerSpaceSettings.ImageNet with { SearchResidual = true },
            _ => throw new UserInputException($"Search space burger has no preset '{preset}'; its presets: {string.Join(", ", PresetNames)}."),
        })
    {
    }

    /// <summary>A space named preset <paramref name="preset"/> with <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">Not four stages, or an empty or unordered candidate list.</exception>
    public BurgerSpace(string preset, BurgerSpaceSettings settings) : base(SpaceName, preset, settings, settings.Input)
    {
        if (settings.Depths.Count != 4 || settings.Widths.Count != 4 || settings.Ratios.Count != 4 || settings.HasAttentionMlp.Count != 4)
            throw new ArgumentException("A BurgerFormer space has four stages of depths, widths, ratios and attention flags.");
        var choices = new List<(Choice, Func<ChoiceValues, bool>?)>();
        var rules = new List<ArchitectureRule>();
        for (int s = 0; s < 4; s++)
        {
            int stage = s;
            choices.Add((SizeChoice(BurgerChoices.Depth(s), settings.Depths[s]), null));
            choices.Add((SizeChoice(BurgerChoices.Width(s), settings.Widths[s]), null));
            choices.Add((SizeChoice(BurgerChoices.Ratio(s), settings.Ratios[s]), null));
            for (int k = 0; k < BurgerCellRules.SubBlocks; k++)
            {
                var op = BurgerChoices.Op(s, k);
                Func<ChoiceValues, bool> hasNorm = v => BurgerCellRules.HasNormAndActivation(v.Get(op));
                choices.Add((op.Define(Ops(s, k), ChoiceKind.Operation, BurgerChoices.MicroGroup), null));
                choices.Add((BurgerChoices.NormPosition(s, k).Define(Positions, ChoiceKind.Operation, BurgerChoices.MicroGroup), hasNorm));
                choices.Add((BurgerChoices.Norm(s, k).Define(BurgerCellRules.Norms, ChoiceKind.Operation, BurgerChoices.MicroGroup), hasNorm));
                choices.Add((BurgerChoices.Activation(s, k).Define(Activations, ChoiceKind.Operation, BurgerChoices.MicroGroup), hasNorm));
            }
            if (!settings.SearchResidual) continue;
            for (int e = 0; e < BurgerCellRules.Edges; e++)
            {
                int edge = e;
                choices.Add((BurgerChoices.Edge(s, e).Define([true, false], ChoiceKind.Operation, BurgerChoices.MesoGroup),
                    v => !BurgerCellRules.IsTurnedOff(edge, v.Get(BurgerChoices.Op(stage, 0)), v.Get(BurgerChoices.Op(stage, 2)))));
            }
            rules.Add(new ArchitectureRule($"Stage {s + 1}'s edges leave no residual path from the block's input to its output (the official is_residual rule: {BurgerCellRules.ResidualPaths}).",
                v => BurgerCellRules.IsResidual(EffectiveEdges(v, stage))));
        }
        Table = new ChoiceTable(SpaceName, preset, choices, rules);
        Count = CountArchitectures();
    }

    /// <summary>The ops sub-block <paramref name="sub"/> of stage <paramref name="stage"/> offers, skip first (<see cref="BurgerCellRules.Ops"/> with the preset's attention stages).</summary>
    public IReadOnlyList<TokenMixerKind> Ops(int stage, int sub) => BurgerCellRules.Ops(sub, Settings.HasAttentionMlp[stage]);

    /// <summary>
    /// Official <c>arch_generate</c>: per stage the depth, width and ratio uniformly; with searched edges, each edge
    /// uniformly until the cell has a residual path; then per sub-block an op uniformly (a skip op in sub-block 1 or 3
    /// turns its edge off), and for a non-skip op the norm position uniformly, a norm uniformly among BN/GN/LN and the
    /// last activation uniformly among all four.
    /// </summary>
    public override Architecture Sample(Generator rng)
    {
        var v = new ChoiceValues();
        for (int s = 0; s < 4; s++)
        {
            PickInto(v, BurgerChoices.Depth(s), rng);
            PickInto(v, BurgerChoices.Width(s), rng);
            PickInto(v, BurgerChoices.Ratio(s), rng);
            if (Settings.SearchResidual)
            {
                var edges = new bool[BurgerCellRules.Edges];
                do
                {
                    for (int e = 0; e < edges.Length; e++) edges[e] = rng.NextInt(2) == 0;
                }
                while (!BurgerCellRules.IsResidual(edges));
                for (int e = 0; e < edges.Length; e++) v.Set(BurgerChoices.Edge(s, e), edges[e]);
            }
            for (int k = 0; k < BurgerCellRules.SubBlocks; k++)
            {
                PickInto(v, BurgerChoices.Op(s, k), rng);
                if (!BurgerCellRules.HasNormAndActivation(v.Get(BurgerChoices.Op(s, k)))) continue;   // the table drops the turned-off edge
                PickInto(v, BurgerChoices.NormPosition(s, k), rng);
                PickInto(v, BurgerChoices.Norm(s, k), rng);
                PickInto(v, BurgerChoices.Activation(s, k), rng);
            }
        }
        return Table.Canonical(v);
    }

    /// <summary>The official <c>min_arch</c> logic: every macro choice at its smallest, every op skip (edges: 1->2 only).</summary>
    public override Architecture Smallest() => Ends(largest: false);

    /// <summary>The official <c>max_arch</c> logic: every macro choice at its largest; sub-blocks <c>dwise_3x3</c> + post BN + ReLU6, except the outer ones of attention stages: pre LN + <c>self_atten</c> + GELU; the fixed edge pattern.</summary>
    public override Architecture Largest() => Ends(largest: true);

    /// <inheritdoc/>
    /// <exception cref="UserInputException">Either architecture is not valid in this space.</exception>
    public override Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        var v = new ChoiceValues(Validate(architecture));
        var z = new ChoiceValues(Validate(sizes));
        foreach (var key in MacroKeys()) v.CopyFrom(z, key);
        return Table.Canonical(v);
    }

    /// <inheritdoc/>
    public override ModelProfile Profile(Architecture architecture, ModelOptions options) => BurgerFormer.Profile(Name, ToConfig(architecture), options);

    /// <inheritdoc/>
    public override VisionModel CreateModel(Architecture architecture, ModelOptions options) => new BurgerFormer(ToConfig(architecture), options);

    /// <inheritdoc/>
    public override Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own)
    {
        CheckHeadSplits(headSplits);
        return new BurgerSupernet(this, options);
    }

    private static IReadOnlyList<ActivationKind> Activations { get; } =
        BurgerFormerVocabulary.Activations.Select(a => BurgerFormerVocabulary.ParseActivation(a)!.Value).ToArray();

    private Architecture Ends(bool largest)
    {
        var v = new ChoiceValues();
        for (int s = 0; s < 4; s++)
        {
            foreach (var key in new[] { BurgerChoices.Depth(s), BurgerChoices.Width(s), BurgerChoices.Ratio(s) })
                v.SetText(key, largest ? Table[key].Largest : Table[key].Smallest);
            for (int k = 0; k < BurgerCellRules.SubBlocks; k++)
            {
                bool attention = largest && k != 1 && Settings.HasAttentionMlp[s];
                v.Set(BurgerChoices.Op(s, k), !largest ? TokenMixerKind.Identity : attention ? TokenMixerKind.Attention : TokenMixerKind.DepthwiseConv3x3);
                v.Set(BurgerChoices.NormPosition(s, k), attention ? BurgerNormPosition.Pre : BurgerNormPosition.Post);
                v.Set(BurgerChoices.Norm(s, k), attention ? NormKind.LayerNorm : NormKind.BatchNorm);
                v.Set(BurgerChoices.Activation(s, k), attention ? ActivationKind.Gelu : ActivationKind.Relu6);
            }
            if (Settings.SearchResidual)
                for (int e = 0; e < BurgerCellRules.Edges; e++) v.Set(BurgerChoices.Edge(s, e), BurgerFormerMesoConfig.FixedEdges[e]);
        }
        return Table.Canonical(v);
    }

    // Every stage's depth, width and ratio.
    private static IEnumerable<ChoiceKey> MacroKeys()
    {
        for (int s = 0; s < 4; s++)
        {
            yield return BurgerChoices.Depth(s);
            yield return BurgerChoices.Width(s);
            yield return BurgerChoices.Ratio(s);
        }
    }

    private void PickInto(ChoiceValues v, ChoiceKey key, Generator rng) => v.SetText(key, ChoiceTable.Pick(Table[key], rng));

    // A cell's edges as the residual rule sees them: the searched ones present, a skip op's own edge as present.
    private static bool[] EffectiveEdges(ChoiceValues v, int s)
    {
        var edges = new bool[BurgerCellRules.Edges];
        for (int e = 0; e < edges.Length; e++) edges[e] = v.TryGet(BurgerChoices.Edge(s, e), out bool on) && on;
        return BurgerCellRules.EffectiveEdges(edges, v.Get(BurgerChoices.Op(s, 0)), v.Get(BurgerChoices.Op(s, 2)));
    }

    private static Choice SizeChoice(ChoiceKey<int> key, IReadOnlyList<int> values)
    {
        SizeValues.CheckIncreasing($"The values of choice '{key.Name}'", values, 1);
        return key.Define(values, ChoiceKind.Size, BurgerChoices.MacroGroup);
    }
}
