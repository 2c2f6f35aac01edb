// GLiT's search space: Chen et al., "GLiT: Neural Architecture Search for Global and Local Image Transformer",
// ICCV 2021, https://arxiv.org/abs/2107.02960, Sec. 3.2 and Table 2. The official repository (bychen515/GLiT) holds
// only the retraining code, not the supernet or the search; the frame and layer semantics follow its
// RetrainTransformer (the zoo's Glit).
using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Glit;

namespace FormerSearch.Spaces;

/// <summary>
/// The GLiT search space (choices in <see cref="GlitChoices"/>). Per block <c>i</c>: <c>block{i}.split</c>, the global-local head split <c>"g-l"</c>
/// (group <c>distribution</c>, an operation: each split has its own weights in the supernet), and in group
/// <c>detail</c> the local heads' <c>block{i}.kernel</c> and <c>block{i}.local_expansion</c> (e_c), the global heads'
/// <c>block{i}.global_expansion</c> (e_v; the paper's Q-K-V width 96/192/384 is e_v × 192) and
/// <c>block{i}.ffn_ratio</c>. Kernel and local expansion are inactive without local heads, the global expansion
/// without global heads; architectures hold only active choices. Hierarchical search fixes one group and searches
/// the other.
/// </summary>
public sealed class GlitSpace : SearchSpace<GlitSpaceSettings, GlitConfig>
{
    /// <summary>The registered name.</summary>
    public const string SpaceName = "glit";

    /// <summary>The presets.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["imagenet", "mini"];

    private readonly Architecture _smallest, _largest;

    /// <summary>The space of preset <paramref name="preset"/>: <c>imagenet</c> (Table 2) or <c>mini</c> (Fashion-MNIST).</summary>
    /// <exception cref="UserInputException">Unknown preset.</exception>
    public GlitSpace(string preset) : this(preset, preset switch
    {
        "imagenet" => GlitSpaceSettings.ImageNet,
        "mini" => GlitSpaceSettings.Mini,
        _ => throw new UserInputException($"The GLiT space has no preset '{preset}'; its presets: {string.Join(", ", PresetNames)}."),
    })
    {
    }

    /// <summary>A space named <paramref name="preset"/> with custom <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    public GlitSpace(string preset, GlitSpaceSettings settings) : base(SpaceName, preset, settings, settings.Input)
    {
        settings.Validate();
        int h = settings.NumHeads;
        var splits = Enumerable.Range(0, h + 1).Select(g => new GlitHeadSplit(g, h - g)).ToArray();
        var choices = new List<(Choice, Func<ChoiceValues, bool>?)>();
        for (int i = 0; i < settings.Depth; i++)
        {
            var split = GlitChoices.Split(i);
            // Kernel and local expansion are active with local heads, the global expansion with global heads.
            Func<ChoiceValues, bool> local = v => v.Get(split).Local > 0, global = v => v.Get(split).Global > 0;
            choices.Add((split.Define(splits, ChoiceKind.Operation, GlitChoices.DistributionGroup), null));
            choices.Add((GlitChoices.Kernel(i).Define(settings.Kernels, ChoiceKind.Size, GlitChoices.DetailGroup), local));
            choices.Add((GlitChoices.LocalExpansion(i).Define(settings.LocalExpansions, ChoiceKind.Size, GlitChoices.DetailGroup), local));
            choices.Add((GlitChoices.GlobalExpansion(i).Define(settings.GlobalExpansions, ChoiceKind.Size, GlitChoices.DetailGroup), global));
            choices.Add((GlitChoices.FfnRatio(i).Define(settings.MlpRatios, ChoiceKind.Size, GlitChoices.DetailGroup), null));
        }
        Table = new ChoiceTable(SpaceName, preset, choices);

        // Σ over splits of the product of the split's active value counts, to the power of the depth (198¹² for imagenet).
        BigInteger perBlock = 0;
        for (int g = 0; g <= h; g++)
        {
            BigInteger n = settings.MlpRatios.Count;
            if (g < h) n *= settings.Kernels.Count * settings.LocalExpansions.Count;
            if (g > 0) n *= settings.GlobalExpansions.Count;
            perBlock += n;
        }
        Count = BigInteger.Pow(perBlock, settings.Depth);
        _smallest = Uniform(CheapestSplit(largest: false), largest: false);
        _largest = Uniform(CheapestSplit(largest: true), largest: true);
    }

    /// <summary>
    /// Each block's split uniform over its values, then each choice the split makes active uniform over its values
    /// (the paper's SPOS sampling: a random index per choice). Not uniform over architectures: a mixed split holds
    /// more of them than an all-global one.
    /// </summary>
    public override Architecture Sample(Generator rng) => Table.SampleEach(rng);

    /// <summary>
    /// Every detail at its smallest value, and per block the split whose block then costs the fewest MACs (ties: fewer
    /// parameters) — a split is an operation, not a size, so "smallest" is by cost. At <c>imagenet</c> that is 2-1:
    /// splitting the channels divides the quadratic projection costs.
    /// </summary>
    public override Architecture Smallest() => _smallest;

    /// <summary>Every detail at its largest value, and per block the split whose block then costs the most MACs (ties: more parameters); at <c>imagenet</c> all-local (0-3).</summary>
    public override Architecture Largest() => _largest;

    /// <summary>
    /// <paramref name="architecture"/>'s splits with the detail values of <paramref name="sizes"/>. A detail that
    /// <paramref name="sizes"/> lacks (its split there makes it inactive) is taken at its smallest when every detail
    /// of <paramref name="sizes"/> is at its smallest, at its largest when every one is at its largest, and from
    /// <paramref name="architecture"/> otherwise.
    /// </summary>
    /// <exception cref="UserInputException">Either architecture is not valid in this space.</exception>
    public override Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        var v = new ChoiceValues(Validate(architecture));
        sizes = Validate(sizes);
        bool allSmallest = true, allLargest = true;
        var details = new List<(Choice Choice, string? Value)>();
        foreach (var choice in Choices)
        {
            if (choice.Kind != ChoiceKind.Size) continue;
            string? value = sizes.Contains(choice.Name) ? sizes[choice.Name] : null;
            details.Add((choice, value));
            if (value is null) continue;
            allSmallest &= value == choice.Smallest;
            allLargest &= value == choice.Largest;
        }
        foreach (var (choice, value) in details)
        {
            string? text = value ?? (allSmallest ? choice.Smallest : allLargest ? choice.Largest : null);
            if (text is not null) v.SetText(choice.Name, text);
        }
        return Table.Canonical(v);
    }

    /// <summary>
    /// Per block, the split re-drawn with probability P_m (<see cref="MutationSettings.ChoiceProbability"/>), then each
    /// detail the (new) split makes active re-drawn with probability P_m, or drawn when the parent lacked it. The space
    /// has no depth choice, so P_d is not used.
    /// </summary>
    /// <exception cref="UserInputException">The parent is not valid in this space.</exception>
    public override Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng) =>
        Table.MutateEach(Validate(parent), settings.ChoiceProbability, rng);

    /// <summary>Per block, the split of a parent chosen at random, then each active detail from a random parent among those that have it (the split's own parent always does), so the child is valid.</summary>
    /// <exception cref="UserInputException">A parent is not valid in this space.</exception>
    public override Architecture Crossover(Architecture a, Architecture b, Generator rng) => Table.CrossEach(Validate(a), Validate(b), rng);

    /// <summary>The zoo configuration of <paramref name="architecture"/> (inactive sizes at the zoo's defaults, which nothing reads).</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    public override GlitConfig ToConfig(Architecture architecture)
    {
        architecture = Validate(architecture);
        var layers = new GlitLayerConfig[Settings.Depth];
        for (int i = 0; i < layers.Length; i++)
        {
            var split = architecture.Get(GlitChoices.Split(i));
            var layer = new GlitLayerConfig { GlobalHeads = split.Global, LocalHeads = split.Local, MlpRatio = architecture.Get(GlitChoices.FfnRatio(i)) };
            if (split.Global > 0) layer = layer with { GlobalExpansion = architecture.Get(GlitChoices.GlobalExpansion(i)) };
            if (split.Local > 0) layer = layer with { Kernel = architecture.Get(GlitChoices.Kernel(i)), LocalExpansion = architecture.Get(GlitChoices.LocalExpansion(i)) };
            layers[i] = layer;
        }
        return new GlitConfig
        {
            PatchSize = Settings.PatchSize,
            EmbedDim = Settings.EmbedDim,
            NumHeads = Settings.NumHeads,
            Layers = layers,
            NormEps = Settings.NormEps,
        };
    }

    /// <summary>The zoo's analytic GLiT profile of <paramref name="architecture"/> (exact params; MACs as <see cref="Glit.Profile"/> counts them).</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public override ModelProfile Profile(Architecture architecture, ModelOptions options) =>
        Glit.Profile($"{Name}_{Preset}", ToConfig(architecture), options);

    /// <summary>The zoo's <see cref="Glit"/> of <paramref name="architecture"/> with fresh weights.</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public override VisionModel CreateModel(Architecture architecture, ModelOptions options) => new Glit(ToConfig(architecture), options);

    /// <inheritdoc/>
    protected override bool HasHeadSplits => true;

    /// <summary>A <see cref="GlitSupernet"/> for <paramref name="options"/>' input, its largest subnet active, its head splits' weights as <paramref name="headSplits"/> says.</summary>
    /// <exception cref="ArgumentException">The options are invalid or the image is not a whole number of patches.</exception>
    public override Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own) => new GlitSupernet(this, options, headSplits);

    // Every block at split g, every detail at its smallest or largest.
    private Architecture Uniform(int globalHeads, bool largest)
    {
        var v = new ChoiceValues();
        foreach (var choice in Choices) v.SetText(choice.Name, largest ? choice.Largest : choice.Smallest);
        for (int i = 0; i < Settings.Depth; i++) v.Set(GlitChoices.Split(i), new GlitHeadSplit(globalHeads, Settings.NumHeads - globalHeads));
        return Table.Canonical(v);
    }

    // The split whose one-block network costs least (or most) with every detail at its smallest (or largest). Blocks
    // do not interact in cost, so one block decides for all.
    private int CheapestSplit(bool largest)
    {
        int best = 0;
        (long Macs, long Params) bestCost = default;
        var options = ModelOptions.For(Settings.Input, numClasses: 10);
        for (int g = 0; g <= Settings.NumHeads; g++)
        {
            var layer = new GlitLayerConfig
            {
                GlobalHeads = g,
                LocalHeads = Settings.NumHeads - g,
                GlobalExpansion = largest ? Settings.GlobalExpansions[^1] : Settings.GlobalExpansions[0],
                LocalExpansion = largest ? Settings.LocalExpansions[^1] : Settings.LocalExpansions[0],
                Kernel = largest ? Settings.Kernels[^1] : Settings.Kernels[0],
                MlpRatio = largest ? Settings.MlpRatios[^1] : Settings.MlpRatios[0],
            };
            var config = new GlitConfig { PatchSize = Settings.PatchSize, EmbedDim = Settings.EmbedDim, NumHeads = Settings.NumHeads, Layers = [layer] };
            var profile = Glit.Profile("block", config, options);
            var cost = (profile.Macs, profile.Params);
            bool better = g == 0 || (largest ? cost.CompareTo(bestCost) > 0 : cost.CompareTo(bestCost) < 0);
            if (better)
            {
                best = g;
                bestCost = cost;
            }
        }
        return best;
    }
}
