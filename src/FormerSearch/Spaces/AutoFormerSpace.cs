// AutoFormer's search space (Chen et al., "AutoFormer: Searching Transformers for Visual Recognition", ICCV 2021,
// https://arxiv.org/abs/2107.00651), with the rules of the official code (microsoft/Cream, AutoFormer/):
// sampling as supernet_engine.sample_configs, mutation and crossover as evolution.py.
using System.Globalization;
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
/// (each head 64 wide for q, k and v, or <see cref="AutoFormerSpaceConfig.HeadDim"/>). Choices are <c>depth</c>,
/// <c>embed_dim</c>, then <c>layer{i}.mlp_ratio</c> and <c>layer{i}.heads</c> for every layer the supernet has;
/// an architecture holds only the layers below its depth. Every choice is a size (group <c>size</c>).
/// </summary>
public sealed class AutoFormerSpace : ISearchSpace
{
    private const string Group = "size";
    private readonly Choice _depth;
    private readonly Choice _embed;
    private readonly Choice[] _ratio;
    private readonly Choice[] _heads;
    private readonly Dictionary<string, Choice> _byName;

    /// <summary>The space of <paramref name="config"/>, called <paramref name="preset"/>.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid (see <see cref="AutoFormerSpaceConfig.Validate"/>).</exception>
    public AutoFormerSpace(AutoFormerSpaceConfig config, string preset)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Preset = preset;
        _depth = new Choice("depth", config.Depths.Select(Text).ToArray(), ChoiceKind.Size, Group);
        _embed = new Choice("embed_dim", config.EmbedDims.Select(Text).ToArray(), ChoiceKind.Size, Group);
        string[] ratios = config.MlpRatios.Select(Text).ToArray(), heads = config.NumHeads.Select(Text).ToArray();
        int layers = config.Depths[^1];
        _ratio = new Choice[layers];
        _heads = new Choice[layers];
        var choices = new List<Choice> { _depth, _embed };
        for (int i = 0; i < layers; i++)
        {
            _ratio[i] = new Choice(RatioName(i), ratios, ChoiceKind.Size, Group);
            _heads[i] = new Choice(HeadsName(i), heads, ChoiceKind.Size, Group);
            choices.Add(_ratio[i]);
            choices.Add(_heads[i]);
        }
        Choices = choices;
        _byName = choices.ToDictionary(c => c.Name, StringComparer.Ordinal);

        // Σ over depths d of |embed|·(|ratio|·|heads|)^d: every layer choice below the depth is free.
        BigInteger perLayer = ratios.Length * heads.Length, count = 0;
        foreach (int d in config.Depths) count += BigInteger.Pow(perLayer, d);
        Count = count * config.EmbedDims.Count;
    }

    /// <summary>Preset <paramref name="preset"/> (<c>mini</c>, <c>tiny</c>, <c>small</c>, <c>base</c>).</summary>
    /// <exception cref="ArgumentException">Unknown preset.</exception>
    public static AutoFormerSpace Create(string preset) => new(AutoFormerSpacePresets.Get(preset), preset);

    /// <summary>The sizes and settings of the space.</summary>
    public AutoFormerSpaceConfig Config { get; }

    /// <inheritdoc/>
    public string Name => "autoformer";

    /// <inheritdoc/>
    public string Preset { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Choice> Choices { get; }

    /// <inheritdoc/>
    public ModelInput DefaultInput => Config.Input;

    /// <inheritdoc/>
    public BigInteger Count { get; }

    /// <summary>Name of layer <paramref name="layer"/>'s MLP ratio choice.</summary>
    public static string RatioName(int layer) => $"layer{layer}.mlp_ratio";

    /// <summary>Name of layer <paramref name="layer"/>'s head count choice.</summary>
    public static string HeadsName(int layer) => $"layer{layer}.heads";

    /// <summary>
    /// As the official <c>sample_configs</c>: a uniform depth, then uniform MLP ratios of its layers, then their
    /// head counts, then a uniform width.
    /// </summary>
    public Architecture Sample(Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int depth = rng.NextInt(_depth.Values.Count);
        var ratios = new string[Config.Depths[depth]];
        var heads = new string[ratios.Length];
        for (int i = 0; i < ratios.Length; i++) ratios[i] = Pick(_ratio[i], rng);
        for (int i = 0; i < heads.Length; i++) heads[i] = Pick(_heads[i], rng);
        return Make(_depth.Values[depth], Pick(_embed, rng), ratios, heads);
    }

    /// <inheritdoc/>
    public Architecture Smallest() => Uniform(0);

    /// <inheritdoc/>
    public Architecture Largest() => Uniform(-1);

    /// <summary>Every choice is a size here, so the result is <paramref name="sizes"/> (validated).</summary>
    public Architecture WithSizesOf(Architecture architecture, Architecture sizes)
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
    public Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rng);
        var (depth, embed, ratios, heads) = Decode(Validate(parent));
        if (rng.NextDouble() < settings.DepthProbability)
        {
            int newDepth = Config.Depths[rng.NextInt(Config.Depths.Count)];
            // The official code draws all new ratios, then all new heads.
            var newRatios = new List<string>(ratios.Take(newDepth));
            var newHeads = new List<string>(heads.Take(newDepth));
            for (int i = depth; i < newDepth; i++) newRatios.Add(Pick(_ratio[i], rng));
            for (int i = depth; i < newDepth; i++) newHeads.Add(Pick(_heads[i], rng));
            (depth, ratios, heads) = (newDepth, newRatios.ToArray(), newHeads.ToArray());
        }
        for (int i = 0; i < depth; i++)
            if (rng.NextDouble() < settings.ChoiceProbability) ratios[i] = Pick(_ratio[i], rng);
        for (int i = 0; i < depth; i++)
            if (rng.NextDouble() < settings.ChoiceProbability) heads[i] = Pick(_heads[i], rng);
        if (rng.NextDouble() < settings.DepthProbability) embed = Pick(_embed, rng);
        return Make(Text(depth), embed, ratios, heads);
    }

    /// <summary>
    /// As the official <c>evolution.py</c> crossover: each choice from either parent with probability ½. The official
    /// code only crosses parents of equal depth (it re-draws pairs until the depths match); for parents of different
    /// depths the depth is drawn first and the layers only the deeper parent has are taken from it.
    /// </summary>
    public Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var pa = Decode(Validate(a));
        var pb = Decode(Validate(b));
        // The official candidate tuple is (depth, ratios…, heads…, embed); each element is drawn in that order.
        int depth = rng.NextInt(2) == 0 ? pa.Depth : pb.Depth;
        var ratios = new string[depth];
        var heads = new string[depth];
        for (int i = 0; i < depth; i++) ratios[i] = Cross(pa.Ratios, pb.Ratios, i, rng);
        for (int i = 0; i < depth; i++) heads[i] = Cross(pa.Heads, pb.Heads, i, rng);
        string embed = rng.NextInt(2) == 0 ? pa.Embed : pb.Embed;
        return Make(Text(depth), embed, ratios, heads);
    }

    /// <summary>
    /// Checks <paramref name="architecture"/> and returns its canonical form: choices in the space's order, numbers in
    /// canonical text (<c>4.0</c> becomes <c>4</c>), layer choices at or beyond the depth dropped.
    /// </summary>
    /// <exception cref="ArgumentException">Another space or preset, a missing or unknown choice, or a value the choice does not allow; the message names it.</exception>
    public Architecture Validate(Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.Space != Name || architecture.Preset != Preset)
            throw new ArgumentException($"The architecture belongs to space {architecture.Space} preset {architecture.Preset}, not {Name} preset {Preset}.");
        foreach (var (name, _) in architecture.Entries)
            if (!_byName.ContainsKey(name)) throw new ArgumentException($"The {Name} space ({Preset}) has no choice '{name}'.");
        int depth = int.Parse(Value(architecture, _depth), CultureInfo.InvariantCulture);
        var ratios = new string[depth];
        var heads = new string[depth];
        for (int i = 0; i < depth; i++)
        {
            ratios[i] = Value(architecture, _ratio[i]);
            heads[i] = Value(architecture, _heads[i]);
        }
        return Make(Text(depth), Value(architecture, _embed), ratios, heads);
    }

    /// <summary>The standalone model's configuration of <paramref name="architecture"/>.</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in this space.</exception>
    public AutoFormerConfig ModelConfig(Architecture architecture)
    {
        var (depth, embed, ratios, heads) = Decode(Validate(architecture));
        var numHeads = new int[depth];
        var mlpRatios = new float[depth];
        for (int i = 0; i < depth; i++)
        {
            numHeads[i] = int.Parse(heads[i], CultureInfo.InvariantCulture);
            mlpRatios[i] = float.Parse(ratios[i], CultureInfo.InvariantCulture);
        }
        return new AutoFormerConfig
        {
            PatchSize = Config.PatchSize,
            EmbedDim = int.Parse(embed, CultureInfo.InvariantCulture),
            NumHeads = numHeads,
            MlpRatios = mlpRatios,
            HeadDim = Config.HeadDim,
            MaxRelativePosition = Config.MaxRelativePosition,
        };
    }

    /// <summary>The zoo's analytic AutoFormer profile of the subnet (fvcore convention, exact parameter count).</summary>
    public ModelProfile Profile(Architecture architecture, ModelOptions options) =>
        AutoFormer.Profile($"autoformer_{Preset}", ModelConfig(architecture), options);

    /// <summary>The zoo's <see cref="AutoFormer"/> of the subnet, with fresh weights.</summary>
    public VisionModel CreateModel(Architecture architecture, ModelOptions options) => new AutoFormer(ModelConfig(architecture), options);

    /// <summary>The weight-entangled <see cref="AutoFormerSupernet"/>.</summary>
    public Supernet CreateSupernet(ModelOptions options) => new AutoFormerSupernet(this, options);

    /// <summary>
    /// The space an official supernet experiment file describes (<c>experiments/supernet/supernet-T.yaml</c>): its
    /// <c>SUPERNET</c> section (<c>EMBED_DIM</c>, <c>DEPTH</c>, <c>NUM_HEADS</c>, <c>MLP_RATIO</c>) sizes the weights and
    /// its <c>SEARCH_SPACE</c> section lists the values of each choice, with the official README's settings (heads 64
    /// wide, patch 16, relative position up to 14, 3×224×224). <paramref name="source"/> names the file in errors; the
    /// preset is <paramref name="preset"/>, or the file's name without extension.
    /// </summary>
    /// <exception cref="InvalidDataException">Not YAML, a section or key missing or not numbers, or sizes the supernet cannot hold.</exception>
    public static AutoFormerSpace FromYaml(string text, string source, string? preset = null)
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
        try
        {
            return new AutoFormerSpace(config, preset ?? Path.GetFileNameWithoutExtension(source));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static YamlMappingNode Section(YamlMappingNode root, string key, string source) =>
        AutoFormerYamlReader.Section(root, key) ?? throw new InvalidDataException($"{source} has no {key} section, so it describes no AutoFormer search space.");

    private static double[] Numbers(YamlMappingNode section, string sectionName, string key, string source) =>
        AutoFormerYamlReader.Numbers(section, sectionName, key, source).Values;

    private Architecture Uniform(int end)
    {
        string Of(Choice c) => end == 0 ? c.Smallest : c.Largest;
        int depth = int.Parse(Of(_depth), CultureInfo.InvariantCulture);
        var ratios = new string[depth];
        var heads = new string[depth];
        for (int i = 0; i < depth; i++)
        {
            ratios[i] = Of(_ratio[i]);
            heads[i] = Of(_heads[i]);
        }
        return Make(Of(_depth), Of(_embed), ratios, heads);
    }

    private Architecture Make(string depth, string embed, IReadOnlyList<string> ratios, IReadOnlyList<string> heads)
    {
        var entries = new List<KeyValuePair<string, string>>(2 + 2 * ratios.Count) { new(_depth.Name, depth), new(_embed.Name, embed) };
        for (int i = 0; i < ratios.Count; i++)
        {
            entries.Add(new(_ratio[i].Name, ratios[i]));
            entries.Add(new(_heads[i].Name, heads[i]));
        }
        return new Architecture(Name, Preset, entries);
    }

    private (int Depth, string Embed, string[] Ratios, string[] Heads) Decode(Architecture canonical)
    {
        int depth = canonical.Int(_depth.Name);
        var ratios = new string[depth];
        var heads = new string[depth];
        for (int i = 0; i < depth; i++)
        {
            ratios[i] = canonical[_ratio[i].Name];
            heads[i] = canonical[_heads[i].Name];
        }
        return (depth, canonical[_embed.Name], ratios, heads);
    }

    /// <summary>The allowed value of <paramref name="choice"/> equal to the architecture's (numerically, so <c>4.0</c> matches <c>4</c>).</summary>
    private string Value(Architecture architecture, Choice choice)
    {
        if (!architecture.Contains(choice.Name))
            throw new ArgumentException($"The architecture lacks choice '{choice.Name}' of the {Name} space ({Preset}).");
        string value = architecture[choice.Name];
        if (choice.Allows(value)) return value;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
            foreach (var allowed in choice.Values)
                if (double.Parse(allowed, CultureInfo.InvariantCulture) == x) return allowed;
        throw new ArgumentException($"Choice '{choice.Name}' = '{value}' is not one of {{{string.Join(", ", choice.Values)}}}.");
    }

    private static string Cross(string[] a, string[] b, int i, Generator rng)
    {
        if (i >= a.Length) return b[i];
        if (i >= b.Length) return a[i];
        return rng.NextInt(2) == 0 ? a[i] : b[i];
    }

    private static string Pick(Choice choice, Generator rng) => choice.Values[rng.NextInt(choice.Values.Count)];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
