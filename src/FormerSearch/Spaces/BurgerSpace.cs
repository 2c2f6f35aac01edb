using System.Globalization;
using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Burger;

namespace FormerSearch.Spaces;

/// <summary>
/// BurgerFormer's micro-meso-macro space (Yang et al., ICML 2022; official <c>search_config.py</c> and
/// <c>arch_generate.py</c>). Per stage, one cell shared by all its blocks:
/// <list type="bullet">
/// <item>macro (<see cref="ChoiceKind.Size"/>): <c>stageS.depth</c>, <c>stageS.width</c>, <c>stageS.ratio</c>;</item>
/// <item>micro (<see cref="ChoiceKind.Operation"/>), for sub-blocks 1–3: <c>stageS.subK.op</c> (bread ops for 1 and 3,
/// <c>skip</c>/<c>dwise_3x3</c> for the expanded 2; attention and spatial MLP only where the preset allows), and when the
/// op is not skip <c>stageS.subK.norm_pos</c> (<c>pre</c>/<c>post</c>), <c>stageS.subK.norm</c> (<c>BN</c>/<c>GN</c>/<c>LN</c>)
/// and <c>stageS.subK.act</c> (<c>skip</c>/<c>relu6</c>/<c>gelu</c>/<c>silu</c>);</item>
/// <item>meso (only with <see cref="BurgerSpaceSettings.SearchResidual"/>): <c>stageS.edge.J->I</c> ∈ {skip, none}.</item>
/// </list>
/// The official rules: a sub-block has exactly one norm, before or after its op, and none when its op is skip; its
/// first activation is never used; a skip op in sub-block 1 or 3 turns off its edge 0->1 or 2->3 and its layer scale
/// and drop path; with searched edges the cell must keep a residual path from its input to its output.
/// </summary>
public sealed partial class BurgerSpace : ISearchSpace
{
    /// <summary>The registered space name.</summary>
    public const string SpaceName = "burger";

    /// <summary>Probability that crossover takes a unit (a sub-block, an edge, a macro choice) from the second parent: the official <c>search_evo.py</c> passes its <c>--mutate-prob</c> (default 0.3) to <c>crossover_func</c>.</summary>
    public const double CrossoverProbability = 0.3;

    /// <summary>The presets: the official space, the small one, and each with searched residual edges.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["mini", "imagenet", "mini_residual", "imagenet_residual"];

    private const string Skip = "skip";
    private const string None = "none";
    private static readonly string[] Positions = ["pre", "post"];
    private static readonly string[] SearchNorms = ["BN", "GN", "LN"];
    private static readonly string[] EdgeValues = [Skip, None];

    private readonly Choice[] _choices;
    private readonly Dictionary<string, Choice> _byName;
    private readonly string[][][] _ops;   // [stage][sub] allowed ops

    /// <summary>The space of preset <paramref name="preset"/> (see <see cref="PresetNames"/>).</summary>
    /// <exception cref="ArgumentException">Unknown preset.</exception>
    public BurgerSpace(string preset)
        : this(preset, preset switch
        {
            "mini" => BurgerSpaceSettings.Mini,
            "imagenet" => BurgerSpaceSettings.ImageNet,
            "mini_residual" => BurgerSpaceSettings.Mini with { SearchResidual = true },
            "imagenet_residual" => BurgerSpaceSettings.ImageNet with { SearchResidual = true },
            _ => throw new ArgumentException($"Search space burger has no preset '{preset}'; its presets: {string.Join(", ", PresetNames)}."),
        })
    {
    }

    /// <summary>A space named preset <paramref name="preset"/> with <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">Not four stages, or an empty or unordered candidate list.</exception>
    public BurgerSpace(string preset, BurgerSpaceSettings settings)
    {
        if (settings.Depths.Count != 4 || settings.Widths.Count != 4 || settings.Ratios.Count != 4 || settings.HasAttentionMlp.Count != 4)
            throw new ArgumentException("A BurgerFormer space has four stages of depths, widths, ratios and attention flags.");
        Preset = preset;
        Settings = settings;
        var choices = new List<Choice>();
        _ops = new string[4][][];
        for (int s = 0; s < 4; s++)
        {
            choices.Add(SizeChoice(StageName(s, "depth"), settings.Depths[s]));
            choices.Add(SizeChoice(StageName(s, "width"), settings.Widths[s]));
            choices.Add(SizeChoice(StageName(s, "ratio"), settings.Ratios[s]));
            var bread = BurgerFormerVocabulary.BreadOps;
            // The official list ends in self_atten, spatial_mlp; stages without them drop the last two.
            string[] outer = settings.HasAttentionMlp[s] ? [.. bread] : [.. bread.Take(bread.Count - 2)];
            _ops[s] = [outer, [.. BurgerFormerVocabulary.MeatOps], outer];
            for (int k = 0; k < 3; k++)
            {
                choices.Add(new Choice(SubName(s, k, "op"), _ops[s][k], ChoiceKind.Operation, "micro"));
                choices.Add(new Choice(SubName(s, k, "norm_pos"), Positions, ChoiceKind.Operation, "micro"));
                choices.Add(new Choice(SubName(s, k, "norm"), SearchNorms, ChoiceKind.Operation, "micro"));
                choices.Add(new Choice(SubName(s, k, "act"), [.. BurgerFormerVocabulary.Activations], ChoiceKind.Operation, "micro"));
            }
            if (settings.SearchResidual)
                for (int e = 0; e < 6; e++) choices.Add(new Choice(EdgeName(s, e), EdgeValues, ChoiceKind.Operation, "meso"));
        }
        _choices = [.. choices];
        _byName = new Dictionary<string, Choice>(StringComparer.Ordinal);
        foreach (var c in _choices) _byName.Add(c.Name, c);
        Count = CountArchitectures();
    }

    /// <inheritdoc/>
    public string Name => SpaceName;

    /// <inheritdoc/>
    public string Preset { get; }

    /// <summary>The preset's values.</summary>
    public BurgerSpaceSettings Settings { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Choice> Choices => _choices;

    /// <inheritdoc/>
    public ModelInput DefaultInput => Settings.Input;

    /// <inheritdoc/>
    public BigInteger Count { get; }

    /// <summary>Name of a stage choice: <c>stage{s+1}.{what}</c>.</summary>
    public static string StageName(int stage, string what) => $"stage{stage + 1}.{what}";

    /// <summary>Name of a sub-block choice: <c>stage{s+1}.sub{k+1}.{what}</c>.</summary>
    public static string SubName(int stage, int sub, string what) => $"stage{stage + 1}.sub{sub + 1}.{what}";

    /// <summary>Name of a residual-edge choice: <c>stage{s+1}.edge.J->I</c> for edge <paramref name="edge"/> in <see cref="BurgerFormerMesoConfig.EdgeKeys"/> order.</summary>
    public static string EdgeName(int stage, int edge) => $"stage{stage + 1}.edge.{BurgerFormerMesoConfig.EdgeKeys[edge]}";

    /// <summary>
    /// Official <c>arch_generate</c>: per stage the depth, width and ratio uniformly; with searched edges, each edge
    /// uniformly until the cell has a residual path; then per sub-block an op uniformly (a skip op in sub-block 1 or 3
    /// turns its edge off), and for a non-skip op the norm position uniformly, a norm uniformly among BN/GN/LN and the
    /// last activation uniformly among all four.
    /// </summary>
    public Architecture Sample(Generator rng)
    {
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int s = 0; s < 4; s++)
        {
            v[StageName(s, "depth")] = Pick(Settings.Depths[s], rng);
            v[StageName(s, "width")] = Pick(Settings.Widths[s], rng);
            v[StageName(s, "ratio")] = Pick(Settings.Ratios[s], rng);
            if (Settings.SearchResidual)
            {
                var edges = new bool[6];
                do
                {
                    for (int e = 0; e < 6; e++) edges[e] = rng.NextInt(2) == 0;
                }
                while (!IsResidual(edges));
                for (int e = 0; e < 6; e++) v[EdgeName(s, e)] = edges[e] ? Skip : None;
            }
            for (int k = 0; k < 3; k++)
            {
                var ops = _ops[s][k];
                string op = ops[rng.NextInt(ops.Length)];
                v[SubName(s, k, "op")] = op;
                if (op == Skip) continue;   // no norm, no activation; Canonical drops the turned-off edge
                v[SubName(s, k, "norm_pos")] = Positions[rng.NextInt(2)];
                v[SubName(s, k, "norm")] = SearchNorms[rng.NextInt(SearchNorms.Length)];
                v[SubName(s, k, "act")] = BurgerFormerVocabulary.Activations[rng.NextInt(BurgerFormerVocabulary.Activations.Count)];
            }
        }
        return Canonical(v);
    }

    /// <summary>The official <c>min_arch</c> logic: every macro choice at its smallest, every op skip (edges: 1->2 only).</summary>
    public Architecture Smallest() => Ends(largest: false);

    /// <summary>The official <c>max_arch</c> logic: every macro choice at its largest; sub-blocks <c>dwise_3x3</c> + post BN + ReLU6, except the outer ones of attention stages: pre LN + <c>self_atten</c> + GELU; the fixed edge pattern.</summary>
    public Architecture Largest() => Ends(largest: true);

    private Architecture Ends(bool largest)
    {
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int s = 0; s < 4; s++)
        {
            foreach (string what in (string[])["depth", "width", "ratio"])
            {
                var c = _byName[StageName(s, what)];
                v[c.Name] = largest ? c.Largest : c.Smallest;
            }
            for (int k = 0; k < 3; k++)
            {
                if (!largest)
                {
                    v[SubName(s, k, "op")] = Skip;
                    continue;
                }
                bool attention = k != 1 && Settings.HasAttentionMlp[s];
                v[SubName(s, k, "op")] = attention ? "self_atten" : "dwise_3x3";
                v[SubName(s, k, "norm_pos")] = attention ? "pre" : "post";
                v[SubName(s, k, "norm")] = attention ? "LN" : "BN";
                v[SubName(s, k, "act")] = attention ? "gelu" : "relu6";
            }
            if (Settings.SearchResidual)
                for (int e = 0; e < 6; e++) v[EdgeName(s, e)] = BurgerFormerMesoConfig.FixedEdges[e] ? Skip : None;
        }
        return Canonical(v);
    }

    /// <inheritdoc/>
    public Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        var a = Values(Validate(architecture));
        var z = Validate(sizes);
        for (int s = 0; s < 4; s++)
            foreach (string what in (string[])["depth", "width", "ratio"])
                a[StageName(s, what)] = z[StageName(s, what)];
        return Canonical(a);
    }

    /// <summary>
    /// Official <c>gen_utils.mutate_func</c>: a fresh random architecture donates, per stage, each residual edge and each
    /// whole sub-block (op, norm, position, activation together) with probability P_m, the depth with P_d and the width
    /// and ratio with P_m (the official code uses one probability for all; set both to it to match); redrawn until the
    /// cell rules hold. Unlike the official code, a sub-block that becomes skip also turns off its edge, so every rule holds.
    /// </summary>
    public Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        var p = Values(Validate(parent));
        for (int attempt = 0; ; attempt++)
        {
            var donor = Values(Sample(rng));
            var child = Combine(p, donor, settings.DepthProbability, settings.ChoiceProbability, rng);
            if (child is not null) return child;
            if (attempt > 10_000) return Canonical(p);
        }
    }

    /// <summary>Official <c>gen_utils.crossover_func</c>: per stage, each edge, each whole sub-block and each macro choice of <paramref name="b"/> replaces <paramref name="a"/>'s with probability <see cref="CrossoverProbability"/>; redrawn until the cell rules hold.</summary>
    public Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        var x = Values(Validate(a));
        var y = Values(Validate(b));
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            var child = Combine(x, y, CrossoverProbability, CrossoverProbability, rng);
            if (child is not null) return child;
        }
        return Canonical(x);
    }

    // One draw of the official per-unit exchange; null when a cell loses its residual path.
    private Architecture? Combine(Dictionary<string, string> baseValues, Dictionary<string, string> donor, double depthP, double choiceP, Generator rng)
    {
        var v = new Dictionary<string, string>(baseValues, StringComparer.Ordinal);
        for (int s = 0; s < 4; s++)
        {
            // The official order: edges, sub-blocks, then all depths, widths, ratios; one uniform draw per unit.
            if (Settings.SearchResidual)
            {
                for (int e = 0; e < 6; e++)
                {
                    string name = EdgeName(s, e);
                    bool take = rng.NextDouble() <= choiceP;
                    var first = take ? donor : baseValues;
                    var second = take ? baseValues : donor;
                    // An edge turned off by a skip op has no value in that parent: the other's stands in.
                    if (first.TryGetValue(name, out var ev) || second.TryGetValue(name, out ev)) v[name] = ev;
                    else v.Remove(name);
                }
            }
            for (int k = 0; k < 3; k++)
            {
                if (rng.NextDouble() > choiceP) continue;
                foreach (string what in (string[])["op", "norm_pos", "norm", "act"])
                {
                    string name = SubName(s, k, what);
                    if (donor.TryGetValue(name, out var sv)) v[name] = sv;
                    else v.Remove(name);
                }
            }
        }
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= depthP) v[StageName(s, "depth")] = donor[StageName(s, "depth")];
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= choiceP) v[StageName(s, "width")] = donor[StageName(s, "width")];
        for (int s = 0; s < 4; s++) if (rng.NextDouble() <= choiceP) v[StageName(s, "ratio")] = donor[StageName(s, "ratio")];
        if (Settings.SearchResidual)
        {
            for (int s = 0; s < 4; s++)
            {
                // A sub-block turned non-skip keeps an edge from one of the parents (the one that had it).
                for (int k = 0; k < 3; k += 2)
                {
                    string edge = EdgeName(s, k == 0 ? 0 : 5);
                    if (v[SubName(s, k, "op")] != Skip && !v.ContainsKey(edge))
                        v[edge] = baseValues.TryGetValue(edge, out var ev) ? ev : donor.TryGetValue(edge, out ev) ? ev : Skip;
                }
                if (!IsResidual(EffectiveEdges(v, s))) return null;
            }
        }
        return Canonical(v);
    }

    /// <inheritdoc/>
    public Architecture Validate(Architecture architecture)
    {
        if (architecture.Space != Name)
            throw new ArgumentException($"The architecture belongs to search space '{architecture.Space}', not '{Name}'.");
        if (architecture.Preset != Preset)
            throw new ArgumentException($"The architecture is of preset '{architecture.Preset}' of space {Name}, not '{Preset}'.");
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in architecture.Entries)
        {
            if (!_byName.TryGetValue(name, out var choice))
                throw new ArgumentException($"Search space {Name}/{Preset} has no choice '{name}'.");
            if (!choice.Allows(value))
                throw new ArgumentException($"Choice '{name}' of space {Name}/{Preset} does not allow '{value}'; it allows {string.Join(", ", choice.Values)}.");
            v[name] = value;
        }
        return Canonical(v);
    }

    /// <inheritdoc/>
    public ModelProfile Profile(Architecture architecture, ModelOptions options) => BurgerFormer.Profile(Name, ToConfig(architecture), options);

    /// <inheritdoc/>
    public VisionModel CreateModel(Architecture architecture, ModelOptions options) => new BurgerFormer(ToConfig(architecture), options);

    /// <inheritdoc/>
    public Supernet CreateSupernet(ModelOptions options) => new BurgerSupernet(this, options);

    // Space order, inactive choices dropped, every active one present, the residual rule checked.
    private Architecture Canonical(Dictionary<string, string> v)
    {
        var entries = new List<KeyValuePair<string, string>>(_choices.Length);
        for (int s = 0; s < 4; s++)
        {
            foreach (string what in (string[])["depth", "width", "ratio"]) Add(entries, v, StageName(s, what));
            var ops = new string[3];
            for (int k = 0; k < 3; k++)
            {
                ops[k] = Add(entries, v, SubName(s, k, "op"));
                if (ops[k] == Skip) continue;
                foreach (string what in (string[])["norm_pos", "norm", "act"]) Add(entries, v, SubName(s, k, what));
            }
            if (!Settings.SearchResidual) continue;
            for (int e = 0; e < 6; e++)
            {
                if ((e == 0 && ops[0] == Skip) || (e == 5 && ops[2] == Skip)) continue;   // turned off by the skip op
                Add(entries, v, EdgeName(s, e));
            }
            if (!IsResidual(EffectiveEdges(v, s)))
                throw new ArgumentException($"Stage {s + 1}'s edges leave no residual path from the block's input to its output (the official is_residual rule: 0->3, 0->1->3, 0->2->3 or 0->1->2->3, a skip op counting as its edge).");
        }
        return new Architecture(Name, Preset, entries);
    }

    private string Add(List<KeyValuePair<string, string>> entries, Dictionary<string, string> v, string name)
    {
        if (!v.TryGetValue(name, out var value))
            throw new ArgumentException($"The architecture has no value for choice '{name}' of space {Name}/{Preset}.");
        if (!_byName[name].Allows(value))
            throw new ArgumentException($"Choice '{name}' of space {Name}/{Preset} does not allow '{value}'; it allows {string.Join(", ", _byName[name].Values)}.");
        entries.Add(new(name, value));
        return value;
    }

    // Edges as the official is_residual sees them with the ops known: a skip op in sub-block 1 or 3 passes its input on, like its edge.
    private static bool[] EffectiveEdges(Dictionary<string, string> v, int s)
    {
        var edges = new bool[6];
        for (int e = 0; e < 6; e++) edges[e] = v.TryGetValue(EdgeName(s, e), out var ev) && ev == Skip;
        if (v[SubName(s, 0, "op")] == Skip) edges[0] = true;
        if (v[SubName(s, 2, "op")] == Skip) edges[5] = true;
        return edges;
    }

    /// <summary>The official <c>is_residual</c>: a path 0->3, 0->1->3, 0->2->3 or 0->1->2->3 of present edges (in <see cref="BurgerFormerMesoConfig.EdgeKeys"/> order).</summary>
    public static bool IsResidual(IReadOnlyList<bool> e) =>
        e[3] || (e[0] && e[4]) || (e[1] && e[5]) || (e[0] && e[2] && e[5]);

    private Dictionary<string, string> Values(Architecture a)
    {
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, value) in a.Entries) v[k] = value;
        return v;
    }

    private BigInteger CountArchitectures()
    {
        BigInteger total = BigInteger.One;
        int opChoices = Positions.Length * SearchNorms.Length * BurgerFormerVocabulary.Activations.Count;   // 24 per non-skip op
        for (int s = 0; s < 4; s++)
        {
            total *= Settings.Depths[s].Count * Settings.Widths[s].Count * Settings.Ratios[s].Count;
            BigInteger outerNonSkip = (_ops[s][0].Length - 1) * opChoices;
            BigInteger meat = 1 + (_ops[s][1].Length - 1) * opChoices;
            if (!Settings.SearchResidual)
            {
                total *= (1 + outerNonSkip) * (1 + outerNonSkip) * meat;
                continue;
            }
            BigInteger cell = BigInteger.Zero;
            for (int skip1 = 0; skip1 < 2; skip1++)
            {
                for (int skip3 = 0; skip3 < 2; skip3++)
                {
                    int edgeSets = 0;
                    for (int mask = 0; mask < 64; mask++)
                    {
                        var e = new bool[6];
                        for (int i = 0; i < 6; i++) e[i] = (mask >> i & 1) == 1;
                        // A skip op's edge has no choice: count it once, as present for the rule.
                        if (skip1 == 1 && !e[0]) continue;
                        if (skip3 == 1 && !e[5]) continue;
                        if (IsResidual(e)) edgeSets++;
                    }
                    cell += (skip1 == 1 ? 1 : outerNonSkip) * (skip3 == 1 ? 1 : outerNonSkip) * meat * edgeSets;
                }
            }
            total *= cell;
        }
        return total;
    }

    private static Choice SizeChoice(string name, IReadOnlyList<int> values)
    {
        if (values.Count == 0) throw new ArgumentException($"Choice '{name}' needs at least one value.");
        for (int i = 1; i < values.Count; i++)
            if (values[i] <= values[i - 1]) throw new ArgumentException($"The values of choice '{name}' must increase; got {string.Join(", ", values)}.");
        var text = new string[values.Count];
        for (int i = 0; i < text.Length; i++) text[i] = values[i].ToString(CultureInfo.InvariantCulture);
        return new Choice(name, text, ChoiceKind.Size, "macro");
    }

    private static string Pick(IReadOnlyList<int> values, Generator rng) =>
        values[rng.NextInt(values.Count)].ToString(CultureInfo.InvariantCulture);
}
