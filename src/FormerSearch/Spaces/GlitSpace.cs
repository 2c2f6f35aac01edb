// GLiT's search space: Chen et al., "GLiT: Neural Architecture Search for Global and Local Image Transformer",
// ICCV 2021, https://arxiv.org/abs/2107.02960, Sec. 3.2 and Table 2. The official repository (bychen515/GLiT) holds
// only the retraining code, not the supernet or the search; the frame and layer semantics follow its
// RetrainTransformer (the zoo's Glit).
using System.Globalization;
using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Glit;

namespace FormerSearch.Spaces;

/// <summary>
/// The GLiT search space. Per block <c>i</c>: <c>block{i}.split</c>, the global-local head split <c>"g-l"</c>
/// (group <c>distribution</c>, an operation: each split has its own weights in the supernet), and in group
/// <c>detail</c> the local heads' <c>block{i}.kernel</c> and <c>block{i}.local_expansion</c> (e_c), the global heads'
/// <c>block{i}.global_expansion</c> (e_v; the paper's Q-K-V width 96/192/384 is e_v × 192) and
/// <c>block{i}.ffn_ratio</c>. Kernel and local expansion are inactive without local heads, the global expansion
/// without global heads; architectures hold only active choices. Hierarchical search fixes one group and searches
/// the other.
/// </summary>
public sealed class GlitSpace : ISearchSpace
{
    /// <summary>The registered name.</summary>
    public const string SpaceName = "glit";

    /// <summary>The choice-group of the head splits.</summary>
    public const string DistributionGroup = "distribution";

    /// <summary>The choice-group of kernels, expansions and FFN ratios.</summary>
    public const string DetailGroup = "detail";

    private readonly string[] _splits;
    private readonly string[] _kernels, _localExpansions, _globalExpansions, _mlpRatios;
    private readonly Dictionary<string, Choice> _byName;
    private readonly Architecture _smallest, _largest;

    /// <summary>The space of preset <paramref name="preset"/>: <c>imagenet</c> (Table 2) or <c>mini</c> (Fashion-MNIST).</summary>
    /// <exception cref="ArgumentException">Unknown preset.</exception>
    public GlitSpace(string preset) : this(preset, preset switch
    {
        "imagenet" => GlitSpaceSettings.ImageNet,
        "mini" => GlitSpaceSettings.Mini,
        _ => throw new ArgumentException($"The GLiT space has no preset '{preset}'; its presets: imagenet, mini."),
    })
    {
    }

    /// <summary>A space named <paramref name="preset"/> with custom <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    public GlitSpace(string preset, GlitSpaceSettings settings)
    {
        settings.Validate();
        Preset = preset;
        Settings = settings;
        int h = settings.NumHeads;
        _splits = new string[h + 1];
        for (int g = 0; g <= h; g++) _splits[g] = SplitText(g, h - g);
        _kernels = Texts(settings.Kernels);
        _localExpansions = Texts(settings.LocalExpansions);
        _globalExpansions = Texts(settings.GlobalExpansions);
        _mlpRatios = Texts(settings.MlpRatios);
        var choices = new List<Choice>();
        for (int i = 0; i < settings.Depth; i++)
        {
            choices.Add(new Choice(Split(i), _splits, ChoiceKind.Operation, DistributionGroup));
            choices.Add(new Choice(Kernel(i), _kernels, ChoiceKind.Size, DetailGroup));
            choices.Add(new Choice(LocalExpansion(i), _localExpansions, ChoiceKind.Size, DetailGroup));
            choices.Add(new Choice(GlobalExpansion(i), _globalExpansions, ChoiceKind.Size, DetailGroup));
            choices.Add(new Choice(FfnRatio(i), _mlpRatios, ChoiceKind.Size, DetailGroup));
        }
        Choices = choices;
        _byName = choices.ToDictionary(c => c.Name, StringComparer.Ordinal);

        BigInteger perBlock = 0;
        for (int g = 0; g <= h; g++)
        {
            BigInteger n = _mlpRatios.Length;
            if (g < h) n *= _kernels.Length * _localExpansions.Length;
            if (g > 0) n *= _globalExpansions.Length;
            perBlock += n;
        }
        Count = BigInteger.Pow(perBlock, settings.Depth);
        _smallest = Uniform(CheapestSplit(largest: false), largest: false);
        _largest = Uniform(CheapestSplit(largest: true), largest: true);
    }

    /// <inheritdoc/>
    public string Name => SpaceName;

    /// <inheritdoc/>
    public string Preset { get; }

    /// <summary>The frame and value sets.</summary>
    public GlitSpaceSettings Settings { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Choice> Choices { get; }

    /// <inheritdoc/>
    public ModelInput DefaultInput => Settings.Input;

    /// <summary>Σ over splits of the product of the split's active value counts, to the power of the depth (198¹² for <c>imagenet</c>).</summary>
    public BigInteger Count { get; }

    /// <summary>Name of block <paramref name="i"/>'s head split choice.</summary>
    public static string Split(int i) => $"block{i}.split";

    /// <summary>Name of block <paramref name="i"/>'s local kernel choice.</summary>
    public static string Kernel(int i) => $"block{i}.kernel";

    /// <summary>Name of block <paramref name="i"/>'s local expansion (e_c) choice.</summary>
    public static string LocalExpansion(int i) => $"block{i}.local_expansion";

    /// <summary>Name of block <paramref name="i"/>'s global Q-K-V expansion (e_v) choice.</summary>
    public static string GlobalExpansion(int i) => $"block{i}.global_expansion";

    /// <summary>Name of block <paramref name="i"/>'s FFN ratio choice.</summary>
    public static string FfnRatio(int i) => $"block{i}.ffn_ratio";

    /// <summary>The split value <c>"g-l"</c> of <paramref name="globalHeads"/> global and <paramref name="localHeads"/> local heads.</summary>
    public static string SplitText(int globalHeads, int localHeads) => string.Create(CultureInfo.InvariantCulture, $"{globalHeads}-{localHeads}");

    /// <summary>
    /// Each block's split uniform over its values, then each choice the split makes active uniform over its values
    /// (the paper's SPOS sampling: a random index per choice). Not uniform over architectures: a mixed split holds
    /// more of them than an all-global one.
    /// </summary>
    public Architecture Sample(Generator rng)
    {
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            int g = rng.NextInt(_splits.Length);
            entries.Add(new(Split(i), _splits[g]));
            foreach (var name in ActiveDetails(i, g))
            {
                var values = _byName[name].Values;
                entries.Add(new(name, values[rng.NextInt(values.Count)]));
            }
        }
        return new Architecture(Name, Preset, entries);
    }

    /// <summary>
    /// Every detail at its smallest value, and per block the split whose block then costs the fewest MACs (ties: fewer
    /// parameters) — a split is an operation, not a size, so "smallest" is by cost. At <c>imagenet</c> that is 2-1:
    /// splitting the channels divides the quadratic projection costs.
    /// </summary>
    public Architecture Smallest() => _smallest;

    /// <summary>Every detail at its largest value, and per block the split whose block then costs the most MACs (ties: more parameters); at <c>imagenet</c> all-local (0-3).</summary>
    public Architecture Largest() => _largest;

    /// <summary>
    /// <paramref name="architecture"/>'s splits with the detail values of <paramref name="sizes"/>. A detail that
    /// <paramref name="sizes"/> lacks (its split there makes it inactive) is taken at its smallest when every detail
    /// of <paramref name="sizes"/> is at its smallest, at its largest when every one is at its largest, and from
    /// <paramref name="architecture"/> otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Either architecture is not valid in this space.</exception>
    public Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        architecture = Validate(architecture);
        sizes = Validate(sizes);
        bool allSmallest = true, allLargest = true;
        foreach (var (name, value) in sizes.Entries)
        {
            var choice = _byName[name];
            if (choice.Kind != ChoiceKind.Size) continue;
            allSmallest &= value == choice.Smallest;
            allLargest &= value == choice.Largest;
        }
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            int g = GlobalHeadsOf(architecture[Split(i)]);
            entries.Add(new(Split(i), architecture[Split(i)]));
            foreach (var name in ActiveDetails(i, g))
            {
                string value = sizes.Contains(name) ? sizes[name]
                    : allSmallest ? _byName[name].Smallest
                    : allLargest ? _byName[name].Largest
                    : architecture[name];
                entries.Add(new(name, value));
            }
        }
        return new Architecture(Name, Preset, entries);
    }

    /// <summary>
    /// Per block, the split re-drawn with probability P_m (<see cref="MutationSettings.ChoiceProbability"/>), then each
    /// detail the (new) split makes active re-drawn with probability P_m, or drawn when the parent lacked it. The space
    /// has no depth choice, so P_d is not used.
    /// </summary>
    /// <exception cref="ArgumentException">The parent is not valid in this space.</exception>
    public Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        parent = Validate(parent);
        double pm = settings.ChoiceProbability;
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            string split = parent[Split(i)];
            if (rng.NextDouble() < pm) split = _splits[rng.NextInt(_splits.Length)];
            entries.Add(new(Split(i), split));
            foreach (var name in ActiveDetails(i, GlobalHeadsOf(split)))
            {
                bool redraw = rng.NextDouble() < pm;
                var values = _byName[name].Values;
                entries.Add(new(name, !redraw && parent.Contains(name) ? parent[name] : values[rng.NextInt(values.Count)]));
            }
        }
        return new Architecture(Name, Preset, entries);
    }

    /// <summary>Per block, the split of a parent chosen at random, then each active detail from a random parent among those that have it (the split's own parent always does), so the child is valid.</summary>
    /// <exception cref="ArgumentException">A parent is not valid in this space.</exception>
    public Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        a = Validate(a);
        b = Validate(b);
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            string split = rng.NextInt(2) == 0 ? a[Split(i)] : b[Split(i)];
            entries.Add(new(Split(i), split));
            foreach (var name in ActiveDetails(i, GlobalHeadsOf(split)))
            {
                bool fromA = rng.NextInt(2) == 0;
                string value = a.Contains(name) && (fromA || !b.Contains(name)) ? a[name] : b[name];
                entries.Add(new(name, value));
            }
        }
        return new Architecture(Name, Preset, entries);
    }

    /// <summary>
    /// The canonical form: space order, choices the splits make inactive dropped. Values of dropped choices must still
    /// be allowed ones.
    /// </summary>
    /// <exception cref="ArgumentException">Another space or preset, a missing, unknown or disallowed choice; the message names it.</exception>
    public Architecture Validate(Architecture architecture)
    {
        if (architecture.Space != Name)
            throw new ArgumentException($"The architecture belongs to search space '{architecture.Space}', not {Name}.");
        if (architecture.Preset != Preset)
            throw new ArgumentException($"The architecture is of {Name} preset '{architecture.Preset}', not '{Preset}'.");
        foreach (var (name, value) in architecture.Entries)
        {
            if (!_byName.TryGetValue(name, out var choice))
                throw new ArgumentException($"The {Name} space ({Preset}) has no choice '{name}'.");
            if (!choice.Allows(value))
                throw new ArgumentException($"Choice '{name}' does not allow '{value}'; allowed: {string.Join(", ", choice.Values)}.");
        }
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            string split = Split(i);
            if (!architecture.Contains(split)) throw new ArgumentException($"The architecture lacks choice '{split}'.");
            entries.Add(new(split, architecture[split]));
            foreach (var name in ActiveDetails(i, GlobalHeadsOf(architecture[split])))
            {
                if (!architecture.Contains(name)) throw new ArgumentException($"The architecture lacks choice '{name}' (active with split {architecture[split]}).");
                entries.Add(new(name, architecture[name]));
            }
        }
        return new Architecture(Name, Preset, entries);
    }

    /// <summary>The zoo configuration of <paramref name="architecture"/> (inactive sizes at the zoo's defaults, which nothing reads).</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in this space.</exception>
    public GlitConfig ToConfig(Architecture architecture)
    {
        architecture = Validate(architecture);
        var layers = new GlitLayerConfig[Settings.Depth];
        for (int i = 0; i < layers.Length; i++)
        {
            int g = GlobalHeadsOf(architecture[Split(i)]);
            var layer = new GlitLayerConfig { GlobalHeads = g, LocalHeads = Settings.NumHeads - g, MlpRatio = architecture.Float(FfnRatio(i)) };
            if (g > 0) layer = layer with { GlobalExpansion = architecture.Float(GlobalExpansion(i)) };
            if (g < Settings.NumHeads) layer = layer with { Kernel = architecture.Int(Kernel(i)), LocalExpansion = architecture.Int(LocalExpansion(i)) };
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
    /// <exception cref="ArgumentException">The architecture or options are invalid.</exception>
    public ModelProfile Profile(Architecture architecture, ModelOptions options) =>
        Glit.Profile($"{Name}_{Preset}", ToConfig(architecture), options);

    /// <summary>The zoo's <see cref="Glit"/> of <paramref name="architecture"/> with fresh weights.</summary>
    /// <exception cref="ArgumentException">The architecture or options are invalid.</exception>
    public VisionModel CreateModel(Architecture architecture, ModelOptions options) => new Glit(ToConfig(architecture), options);

    /// <summary>A <see cref="GlitSupernet"/> for <paramref name="options"/>' input, its largest subnet active.</summary>
    /// <exception cref="ArgumentException">The options are invalid or the image is not a whole number of patches.</exception>
    public Supernet CreateSupernet(ModelOptions options) => new GlitSupernet(this, options);

    /// <summary>Global heads of a split value <c>"g-l"</c>.</summary>
    internal static int GlobalHeadsOf(string split) => int.Parse(split.AsSpan(0, split.IndexOf('-')), NumberStyles.Integer, CultureInfo.InvariantCulture);

    // The detail choices active in block i with g global heads, in space order.
    private IEnumerable<string> ActiveDetails(int i, int g)
    {
        if (g < Settings.NumHeads)
        {
            yield return Kernel(i);
            yield return LocalExpansion(i);
        }
        if (g > 0) yield return GlobalExpansion(i);
        yield return FfnRatio(i);
    }

    private Architecture Uniform(int globalHeads, bool largest)
    {
        var entries = new List<KeyValuePair<string, string>>(Choices.Count);
        for (int i = 0; i < Settings.Depth; i++)
        {
            entries.Add(new(Split(i), _splits[globalHeads]));
            foreach (var name in ActiveDetails(i, globalHeads))
                entries.Add(new(name, largest ? _byName[name].Largest : _byName[name].Smallest));
        }
        return new Architecture(Name, Preset, entries);
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

    private static string[] Texts<T>(IReadOnlyList<T> values) where T : IFormattable =>
        values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)).ToArray();
}
