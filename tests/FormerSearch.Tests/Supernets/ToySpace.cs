using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// A space small enough to count by hand: depth {1, 2}; per layer a width {8, 16}; one op {a, b, c} with a rule —
/// op c needs depth 2 — so the space's own sampler (uniform over depth, then ops allowed) differs from drawing each
/// choice on its own and rejecting. Architectures: depth 1 → 2 widths × 2 ops = 4; depth 2 → 4 × 3 = 12; 16 in all.
/// </summary>
internal sealed class ToySpace : ISearchSpace
{
    public string Name => "toy";

    public string Preset => "p";

    public IReadOnlyList<Choice> Choices { get; } =
    [
        new("depth", ["1", "2"], ChoiceKind.Size, "size"),
        new("layer0.width", ["8", "16"], ChoiceKind.Size, "size"),
        new("layer1.width", ["8", "16"], ChoiceKind.Size, "size"),
        new("op", ["a", "b", "c"], ChoiceKind.Operation, "op"),
    ];

    public ModelInput DefaultInput => new(1, 4, 4);

    public BigInteger Count => 16;

    public Architecture Sample(Generator rng)
    {
        int depth = 1 + rng.NextInt(2);
        var entries = new List<KeyValuePair<string, string>> { new("depth", depth.ToString()) };
        for (int i = 0; i < depth; i++) entries.Add(new($"layer{i}.width", rng.NextInt(2) == 0 ? "8" : "16"));
        string[] ops = depth == 2 ? ["a", "b", "c"] : ["a", "b"];
        entries.Add(new("op", ops[rng.NextInt(ops.Length)]));
        return new Architecture(Name, Preset, entries);
    }

    public Architecture Smallest() => new(Name, Preset, [new("depth", "1"), new("layer0.width", "8"), new("op", "a")]);

    public Architecture Largest() => new(Name, Preset, [new("depth", "2"), new("layer0.width", "16"), new("layer1.width", "16"), new("op", "a")]);

    public Architecture WithSizesOf(Architecture architecture, Architecture sizes)
    {
        var entries = sizes.Entries.Where(e => e.Key != "op").ToList();
        string op = architecture["op"];
        entries.Add(new("op", op == "c" && sizes.Int("depth") < 2 ? "a" : op));
        return new Architecture(Name, Preset, entries);
    }

    public Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng) => Sample(rng);

    public Architecture Crossover(Architecture a, Architecture b, Generator rng) => rng.NextInt(2) == 0 ? a : b;

    public Architecture Validate(Architecture architecture)
    {
        if (architecture.Space != Name) throw new UserInputException($"Not a {Name} architecture.");
        int depth = architecture.Int("depth");
        if (architecture["op"] == "c" && depth < 2) throw new UserInputException("op c needs depth 2.");
        var entries = new List<KeyValuePair<string, string>> { new("depth", architecture["depth"]) };
        for (int i = 0; i < depth; i++) entries.Add(new($"layer{i}.width", architecture[$"layer{i}.width"]));
        entries.Add(new("op", architecture["op"]));
        return new Architecture(Name, Preset, entries);
    }

    public ModelProfile Profile(Architecture architecture, ModelOptions options) => throw new NotSupportedException();

    public VisionModel CreateModel(Architecture architecture, ModelOptions options) => throw new NotSupportedException();

    public void CheckHeadSplits(HeadSplitWeights headSplits)
    {
        if (headSplits != HeadSplitWeights.Own) throw new UserInputException("The toy space has no head splits.");
    }

    public Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own)
    {
        CheckHeadSplits(headSplits);
        return new ToySupernet(this);
    }

    /// <summary>Records what was activated; computes nothing.</summary>
    internal sealed class ToySupernet : Supernet
    {
        public ToySupernet(ISearchSpace space) : base(space, ModelOptions.For(space.DefaultInput, 2)) => Activate(space.Largest());

        public List<Architecture> Activated { get; } = [];

        public override int NumClasses => 2;

        public override Tensor ForwardFeatures(Tensor images) => images;

        public override Tensor ForwardHead(Tensor features) => features;

        public override void ResetClassifier(int numClasses) { }

        protected override void OnActivate(Architecture architecture) => Activated.Add(architecture);

        protected override VisionModel CreateStandalone(Architecture architecture, ModelOptions options) => throw new NotSupportedException();
    }
}
