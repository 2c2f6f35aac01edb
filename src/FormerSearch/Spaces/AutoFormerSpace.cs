// AutoFormer's search space (Chen et al., "AutoFormer: Searching Transformers for Visual Recognition", ICCV 2021,
// https://arxiv.org/abs/2107.00651), with the rules of the official code (microsoft/Cream, AutoFormer/):
// sampling as supernet_engine.sample_configs, mutation and crossover as evolution.py.
using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;
using FormerSearch.Supernets.AutoFormer;
using YamlDotNet.RepresentationModel;

namespace FormerSearch.Spaces;

/// <summary>
/// AutoFormer's space: a depth, one token width for every layer, and per layer an MLP ratio and a head count
/// (each head 64 wide for q, k and v, or <see cref="AutoFormerSpaceSettings.HeadDim"/>). Choices
/// (<see cref="AutoFormerChoices"/>) are <c>depth</c>, <c>embed_dim</c>, then <c>layer{i}.mlp_ratio</c> and
/// <c>layer{i}.heads</c> for every layer the supernet has; an architecture holds only the layers below its depth.
/// Every choice is a size (group <c>size</c>).
/// </summary>
public sealed class AutoFormerSpace : SearchSpace<AutoFormerSpaceConfig, AutoFormerConfig>
{
    /// <summary>The registered name.</summary>
    public const string SpaceName = "autoformer";

    private const string Group = "size";
    private readonly Choice _depth;
    private readonly Choice _embed;
    private readonly Choice[] _ratio;
    private readonly Choice[] _heads;
    private readonly ChoiceKey<float>[] _ratioKeys;
    private readonly ChoiceKey<int>[] _headsKeys;

    /// <summary>The space of <paramref name="config"/>, called <paramref name="preset"/>.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid (see <see cref="AutoFormerSpaceConfig.Validate"/>).</exception>
    public AutoFormerSpace(AutoFormerSpaceConfig config, string preset) : base(SpaceName, preset, config, config.Input)
    {
        config.Validate();
        _depth = AutoFormerChoices.Depth.Define(config.Depths, ChoiceKind.Size, Group);
        _embed = AutoFormerChoices.EmbedDim.Define(config.EmbedDims, ChoiceKind.Size, Group);
        int layers = config.Depths[^1];
        _ratioKeys = new ChoiceKey<float>[layers];
        _headsKeys = new ChoiceKey<int>[layers];
        _ratio = new Choice[layers];
        _heads = new Choice[layers];
        var choices = new List<(Choice, Func<ChoiceValues, bool>?)> { (_depth, null), (_embed, null) };
        for (int i = 0; i < layers; i++)
        {
            int layer = i;
            _ratioKeys[i] = AutoFormerChoices.MlpRatio(i);
            _headsKeys[i] = AutoFormerChoices.Heads(i);
            _ratio[i] = _ratioKeys[i].Define(config.MlpRatios, ChoiceKind.Size, Group);
            _heads[i] = _headsKeys[i].Define(config.NumHeads, ChoiceKind.Size, Group);
            // A layer's choices are active below the depth.
            choices.Add((_ratio[i], v => v.Get(AutoFormerChoices.Depth) > layer));
            choices.Add((_heads[i], v => v.Get(AutoFormerChoices.Depth) > layer));
        }
        Table = new ChoiceTable(SpaceName, preset, choices);

        // Σ over depths d of |embed|·(|ratio|·|heads|)^d: every layer choice below the depth is free.
        BigInteger perLayer = config.MlpRatios.Count * config.NumHeads.Count, count = 0;
        foreach (int d in config.Depths) count += BigInteger.Pow(perLayer, d);
        Count = count * config.EmbedDims.Count;
    }

    /// <summary>Preset <paramref name="preset"/> (<c>mini</c>, <c>tiny</c>, <c>small</c>, <c>base</c>).</summary>
    /// <exception cref="UserInputException">Unknown preset.</exception>
    public static AutoFormerSpace Create(string preset) => new(AutoFormerSpacePresets.Get(preset), preset);

    /// <summary>
    /// As the official <c>sample_configs</c>: a uniform depth, then uniform MLP ratios of its layers, then their
    /// head counts, then a uniform width.
    /// </summary>
    public override Architecture Sample(Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var v = new ChoiceValues();
        int depth = Settings.Depths[rng.NextInt(Settings.Depths.Count)];
        v.Set(AutoFormerChoices.Depth, depth);
        for (int i = 0; i < depth; i++) v.SetText(_ratioKeys[i], ChoiceTable.Pick(_ratio[i], rng));
        for (int i = 0; i < depth; i++) v.SetText(_headsKeys[i], ChoiceTable.Pick(_heads[i], rng));
        v.SetText(AutoFormerChoices.EmbedDim, ChoiceTable.Pick(_embed, rng));
        return Table.Canonical(v);
    }

    /// <inheritdoc/>
    public override Architecture Smallest() => Uniform(largest: false);

    /// <inheritdoc/>
    public override Architecture Largest() => Uniform(largest: true);

    /// <summary>Every choice is a size here, so the result is <paramref name="sizes"/> (validated).</summary>
    /// <exception cref="UserInputException">Either architecture is not valid in this space.</exception>
    public override Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        Validate(architecture);
        return Validate(sizes);
    }

    /// <summary>
    /// As the official <c>evolution.py</c> mutation: with probability <see cref="MutationSettings.DepthProbability"/> a
    /// new uniform depth (new layers get uniform choices, removed ones are dropped); each layer's MLP ratio, then each
    /// layer's heads, re-drawn with probability <see cref="MutationSettings.ChoiceProbability"/>; the width re-drawn
    /// with probability <see cref="MutationSettings.DepthProbability"/> (the official code uses its depth probability
    /// <c>s_prob</c> for the width too).
    /// </summary>
    /// <exception cref="UserInputException">The parent is not valid in this space.</exception>
    public override Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rng);
        var v = new ChoiceValues(Validate(parent));
        int depth = v.Get(AutoFormerChoices.Depth);
        if (rng.NextDouble() < settings.DepthProbability)
        {
            // The official code draws all new ratios, then all new heads; layers beyond the new depth drop out.
            int newDepth = Settings.Depths[rng.NextInt(Settings.Depths.Count)];
            for (int i = depth; i < newDepth; i++) v.SetText(_ratioKeys[i], ChoiceTable.Pick(_ratio[i], rng));
            for (int i = depth; i < newDepth; i++) v.SetText(_headsKeys[i], ChoiceTable.Pick(_heads[i], rng));
            depth = newDepth;
            v.Set(AutoFormerChoices.Depth, depth);
        }
        for (int i = 0; i < depth; i++)
            if (rng.NextDouble() < settings.ChoiceProbability) v.SetText(_ratioKeys[i], ChoiceTable.Pick(_ratio[i], rng));
        for (int i = 0; i < depth; i++)
            if (rng.NextDouble() < settings.ChoiceProbability) v.SetText(_headsKeys[i], ChoiceTable.Pick(_heads[i], rng));
        if (rng.NextDouble() < settings.DepthProbability) v.SetText(AutoFormerChoices.EmbedDim, ChoiceTable.Pick(_embed, rng));
        return Table.Canonical(v);
    }

    /// <summary>
    /// As the official <c>evolution.py</c> crossover: each choice from either parent with probability ½. The official
    /// code only crosses parents of equal depth (it re-draws pairs until the depths match); for parents of different
    /// depths the depth is drawn first and the layers only the deeper parent has are taken from it.
    /// </summary>
    /// <exception cref="UserInputException">A parent is not valid in this space.</exception>
    public override Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var (x, y) = (new ChoiceValues(Validate(a)), new ChoiceValues(Validate(b)));
        var v = new ChoiceValues();
        // The official candidate tuple is (depth, ratios…, heads…, embed); each element is drawn in that order.
        v.CopyFrom(rng.NextInt(2) == 0 ? x : y, AutoFormerChoices.Depth);
        int depth = v.Get(AutoFormerChoices.Depth);
        for (int i = 0; i < depth; i++) Cross(v, x, y, _ratioKeys[i], rng);
        for (int i = 0; i < depth; i++) Cross(v, x, y, _headsKeys[i], rng);
        v.CopyFrom(rng.NextInt(2) == 0 ? x : y, AutoFormerChoices.EmbedDim);
        return Table.Canonical(v);
    }

    /// <inheritdoc/>
    public override AutoFormerConfig ToConfig(Architecture architecture)
    {
        var canonical = Validate(architecture);
        int depth = canonical.Get(AutoFormerChoices.Depth);
        var numHeads = new int[depth];
        var mlpRatios = new float[depth];
        for (int i = 0; i < depth; i++)
        {
            numHeads[i] = canonical.Get(_headsKeys[i]);
            mlpRatios[i] = canonical.Get(_ratioKeys[i]);
        }
        return new AutoFormerConfig
        {
            PatchSize = Settings.PatchSize,
            EmbedDim = canonical.Get(AutoFormerChoices.EmbedDim),
            NumHeads = numHeads,
            MlpRatios = mlpRatios,
            HeadDim = Settings.HeadDim,
            MaxRelativePosition = Settings.MaxRelativePosition,
        };
    }

    /// <summary>The zoo's analytic AutoFormer profile of the subnet (fvcore convention, exact parameter count).</summary>
    public override ModelProfile Profile(Architecture architecture, ModelOptions options) =>
        AutoFormer.Profile($"autoformer_{Preset}", ToConfig(architecture), options);

    /// <summary>The zoo's <see cref="AutoFormer"/> of the subnet, with fresh weights.</summary>
    public override VisionModel CreateModel(Architecture architecture, ModelOptions options) => new AutoFormer(ToConfig(architecture), options);

    /// <summary>The weight-entangled <see cref="AutoFormerSupernet"/>.</summary>
    public override Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own)
    {
        CheckHeadSplits(headSplits);
        return new AutoFormerSupernet(this, options);
    }

    /// <summary>
    /// The space an official supernet experiment file describes (<c>experiments/supernet/supernet-T.yaml</c>): its
    /// <c>SUPERNET</c> section (<c>EMBED_DIM</c>, <c>DEPTH</c>, <c>NUM_HEADS</c>, <c>MLP_RATIO</c>) sizes the weights and
    /// its <c>SEARCH_SPACE</c> section lists the values of each choice, with the official README's settings (heads 64
    /// wide, patch 16, relative position up to 14, 3×224×224). <paramref name="source"/> names the file in errors; the
    /// preset is <paramref name="preset"/>, or the file's name without extension.
    /// </summary>
    /// <exception cref="UserInputException">Not YAML, a section or key missing or not numbers, or sizes the supernet cannot hold.</exception>
    public static AutoFormerSpace FromYaml(string text, string source, string? preset = null)
    {
        try
        {
            var root = AutoFormerYamlReader.Root(text, source);
            var super = Section(root, "SUPERNET", source);
            var space = Section(root, "SEARCH_SPACE", source);
            var config = new AutoFormerSpaceConfig
            {
                SuperEmbedDim = (int)Numbers(super, "SUPERNET", "EMBED_DIM", source)[0],
                SuperDepth = (int)Numbers(super, "SUPERNET", "DEPTH", source)[0],
                SuperNumHeads = (int)Numbers(super, "SUPERNET", "NUM_HEADS", source)[0],
                SuperMlpRatio = (float)Numbers(super, "SUPERNET", "MLP_RATIO", source)[0],
                EmbedDims = Numbers(space, "SEARCH_SPACE", "EMBED_DIM", source).Select(v => (int)v).ToArray(),
                Depths = Numbers(space, "SEARCH_SPACE", "DEPTH", source).Select(v => (int)v).ToArray(),
                NumHeads = Numbers(space, "SEARCH_SPACE", "NUM_HEADS", source).Select(v => (int)v).ToArray(),
                MlpRatios = Numbers(space, "SEARCH_SPACE", "MLP_RATIO", source).Select(v => (float)v).ToArray(),
            };
            return new AutoFormerSpace(config, preset ?? Path.GetFileNameWithoutExtension(source));
        }
        catch (ArgumentException e)
        {
            throw new UserInputException($"{source}: {e.Message}", e);
        }
    }

    private static YamlMappingNode Section(YamlMappingNode root, string key, string source) =>
        AutoFormerYamlReader.Section(root, key) ?? throw new UserInputException($"{source} has no {key} section, so it describes no AutoFormer search space.");

    private static double[] Numbers(YamlMappingNode section, string sectionName, string key, string source) =>
        AutoFormerYamlReader.Numbers(section, sectionName, key, source).Values;

    private Architecture Uniform(bool largest)
    {
        string Of(Choice c) => largest ? c.Largest : c.Smallest;
        var v = new ChoiceValues();
        v.SetText(AutoFormerChoices.Depth, Of(_depth));
        v.SetText(AutoFormerChoices.EmbedDim, Of(_embed));
        for (int i = 0; i < _ratio.Length; i++)
        {
            v.SetText(_ratioKeys[i], Of(_ratio[i]));
            v.SetText(_headsKeys[i], Of(_heads[i]));
        }
        return Table.Canonical(v);
    }

    // The official crossover of one layer choice: from either parent, or from the one that has the layer.
    private static void Cross(ChoiceValues child, ChoiceValues x, ChoiceValues y, ChoiceKey key, Generator rng)
    {
        if (!x.Contains(key)) child.CopyFrom(y, key);
        else if (!y.Contains(key)) child.CopyFrom(x, key);
        else child.CopyFrom(rng.NextInt(2) == 0 ? x : y, key);
    }
}
