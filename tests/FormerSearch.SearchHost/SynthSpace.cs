using System.Globalization;
using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Search;

/// <summary>
/// A synthetic space for search tests: depth {1..4} and per layer a kind {local, global} (group "distribution"), a width
/// {16, 32, 48, 64} and a ratio {1, 2, 3} (group "detail"): 24 + 24² + 24³ + 24⁴ = 346,200 architectures. Costs are a
/// formula; <see cref="Accuracy"/> rewards depth, a target kind pattern and size, so that under a MACs budget the best
/// architecture is a knapsack only brute force (or a good search) finds. Mutation and crossover follow AutoFormer's rules.
/// </summary>
public sealed class SynthSpace : ISearchSpace
{
    public const int MaxDepth = 4;
    private static readonly string[] Kinds = ["local", "global"];
    private static readonly string[] Widths = ["16", "32", "48", "64"];
    private static readonly string[] Ratios = ["1", "2", "3"];
    private static readonly string[] Target = ["local", "global", "global", "local"];

    public SynthSpace()
    {
        var choices = new List<Choice> { new("depth", ["1", "2", "3", "4"], ChoiceKind.Size, "distribution") };
        for (int i = 0; i < MaxDepth; i++)
        {
            choices.Add(new($"layer{i}.kind", Kinds, ChoiceKind.Operation, "distribution"));
            choices.Add(new($"layer{i}.width", Widths, ChoiceKind.Size, "detail"));
            choices.Add(new($"layer{i}.ratio", Ratios, ChoiceKind.Size, "detail"));
        }
        Choices = choices;
    }

    public string Name => "synth";

    public string Preset => "test";

    public IReadOnlyList<Choice> Choices { get; }

    public ModelInput DefaultInput => new(1, 28, 28);

    public BigInteger Count => 24 + 24 * 24 + 24 * 24 * 24 + 24 * 24 * 24 * 24;

    public Architecture Sample(Generator rng)
    {
        int depth = 1 + rng.NextInt(MaxDepth);
        var layers = new List<string[]>();
        for (int i = 0; i < depth; i++) layers.Add(RandomLayer(rng));
        return Make(layers);
    }

    public Architecture Smallest() => Make(Enumerable.Range(0, 1).Select(_ => new[] { "local", "16", "1" }).ToList());

    public Architecture Largest() => Make(Enumerable.Range(0, MaxDepth).Select(_ => new[] { "global", "64", "3" }).ToList());

    public Architecture WithSizesOf(Architecture architecture, Architecture sizes) => throw new NotSupportedException();

    public Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng)
    {
        var layers = Layers(parent);
        if (rng.NextDouble() < settings.DepthProbability)
        {
            int depth = 1 + rng.NextInt(MaxDepth);
            while (layers.Count < depth) layers.Add(RandomLayer(rng));
            layers.RemoveRange(depth, layers.Count - depth);
        }
        foreach (var layer in layers)
        {
            if (rng.NextDouble() < settings.ChoiceProbability) layer[0] = Kinds[rng.NextInt(Kinds.Length)];
            if (rng.NextDouble() < settings.ChoiceProbability) layer[1] = Widths[rng.NextInt(Widths.Length)];
            if (rng.NextDouble() < settings.ChoiceProbability) layer[2] = Ratios[rng.NextInt(Ratios.Length)];
        }
        return Make(layers);
    }

    public Architecture Crossover(Architecture a, Architecture b, Generator rng)
    {
        var la = Layers(a);
        var lb = Layers(b);
        int depth = rng.NextInt(2) == 0 ? la.Count : lb.Count;
        var layers = new List<string[]>();
        for (int i = 0; i < depth; i++)
        {
            var layer = new string[3];
            for (int j = 0; j < 3; j++)
            {
                bool both = i < la.Count && i < lb.Count;
                layer[j] = both ? (rng.NextInt(2) == 0 ? la[i][j] : lb[i][j]) : (i < la.Count ? la[i][j] : lb[i][j]);
            }
            layers.Add(layer);
        }
        return Make(layers);
    }

    public Architecture Validate(Architecture architecture)
    {
        if (architecture.Space != Name || architecture.Preset != Preset) throw new UserInputException($"Not a {Name}/{Preset} architecture.");
        int depth = architecture.Int("depth");
        if (depth is < 1 or > MaxDepth) throw new UserInputException($"Depth {depth} is outside 1..{MaxDepth}.");
        var layers = new List<string[]>();
        for (int i = 0; i < depth; i++)
        {
            var layer = new[] { architecture[$"layer{i}.kind"], architecture[$"layer{i}.width"], architecture[$"layer{i}.ratio"] };
            if (!Kinds.Contains(layer[0]) || !Widths.Contains(layer[1]) || !Ratios.Contains(layer[2])) throw new UserInputException($"Layer {i} of {architecture.Key} is invalid.");
            layers.Add(layer);
        }
        return Make(layers);
    }

    public ModelProfile Profile(Architecture architecture, ModelOptions options)
    {
        long p = 100, m = 0;
        foreach (var (kind, width, ratio) in Parse(architecture))
        {
            long lp = 2L * width * width * ratio + (kind == "global" ? 3L * width * width : 9L * width);
            p += lp;
            m += lp * 49 + (kind == "global" ? 2L * 49 * 49 * width : 0);
        }
        return new ModelProfile("synth", options.Input, options.NumClasses, p, m, []);
    }

    public VisionModel CreateModel(Architecture architecture, ModelOptions options) => throw new NotSupportedException();

    public void CheckHeadSplits(HeadSplitWeights headSplits) => throw new NotSupportedException();

    public Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own) => throw new NotSupportedException();

    /// <summary>The synthetic accuracy: per layer, a kind bonus (the target pattern) times a size gain; deeper is better.</summary>
    public static double Accuracy(Architecture architecture)
    {
        double acc = 0;
        int i = 0;
        foreach (var (kind, width, ratio) in Parse(architecture))
        {
            double kindGain = kind == Target[i] ? 5 : 2;
            acc += kindGain * (1 + 0.25 * (width / 16 - 1) + 0.15 * (ratio - 1)) + (i == 3 && kind == "local" ? 1.5 : 0);
            i++;
        }
        return acc;
    }

    /// <summary>Every architecture of the space.</summary>
    public IEnumerable<Architecture> All()
    {
        var options = (from k in Kinds from w in Widths from r in Ratios select new[] { k, w, r }).ToList();
        for (int depth = 1; depth <= MaxDepth; depth++)
        {
            var idx = new int[depth];
            while (true)
            {
                yield return Make(idx.Select(j => options[j]).ToList());
                int pos = depth - 1;
                while (pos >= 0 && ++idx[pos] == options.Count) idx[pos--] = 0;
                if (pos < 0) break;
            }
        }
    }

    private static IEnumerable<(string Kind, int Width, int Ratio)> Parse(Architecture a)
    {
        int depth = a.Int("depth");
        for (int i = 0; i < depth; i++) yield return (a[$"layer{i}.kind"], a.Int($"layer{i}.width"), a.Int($"layer{i}.ratio"));
    }

    private static string[] RandomLayer(Generator rng) =>
        [Kinds[rng.NextInt(Kinds.Length)], Widths[rng.NextInt(Widths.Length)], Ratios[rng.NextInt(Ratios.Length)]];

    private static List<string[]> Layers(Architecture a) => Parse(a).Select(l => new[] { l.Kind, l.Width.ToString(CultureInfo.InvariantCulture), l.Ratio.ToString(CultureInfo.InvariantCulture) }).ToList();

    private Architecture Make(List<string[]> layers)
    {
        var entries = new List<KeyValuePair<string, string>> { new("depth", layers.Count.ToString(CultureInfo.InvariantCulture)) };
        for (int i = 0; i < layers.Count; i++)
        {
            entries.Add(new($"layer{i}.kind", layers[i][0]));
            entries.Add(new($"layer{i}.width", layers[i][1]));
            entries.Add(new($"layer{i}.ratio", layers[i][2]));
        }
        return new Architecture(Name, Preset, entries);
    }
}
