using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Training;

namespace FormerSearch.Supernets;

/// <summary>
/// Picks and activates the subnets of each supernet training step. The picks of step <c>s</c> come from a generator
/// seeded by (seed, s) alone, so a resumed run repeats them exactly and the data order does not move them.
/// </summary>
public sealed class SubnetSampler : IStepPasses
{
    private readonly Supernet _supernet;
    private readonly ulong _seed;
    private readonly Architecture _smallest, _largest;
    private int _step = -1;
    private Architecture[] _picks = [];

    /// <summary>
    /// A sampler of kind <paramref name="kind"/> over <paramref name="supernet"/>'s space; with <paramref name="distill"/>, the
    /// step's largest subnet runs first and the others learn from its predictions (<see cref="InPlaceDistillation"/>).
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="distill"/> with a sampler that has no largest subnet in a step.</exception>
    public SubnetSampler(Supernet supernet, SamplerKind kind, ulong seed, bool distill = false)
    {
        CheckDistillation(kind, distill);
        _supernet = supernet;
        Kind = kind;
        Distill = distill;
        _seed = seed;
        _smallest = supernet.Space.Smallest();
        _largest = supernet.Space.Largest();
    }

    /// <summary>The sampling rule.</summary>
    public SamplerKind Kind { get; }

    /// <summary>Whether the step's smaller subnets learn from its largest one (in-place distillation).</summary>
    public bool Distill { get; }

    /// <summary>Refuses in-place distillation with a sampler whose steps have no largest subnet to learn from.</summary>
    /// <exception cref="UserInputException"><paramref name="distill"/> with the uniform or spos sampler.</exception>
    public static void CheckDistillation(SamplerKind kind, bool distill)
    {
        if (distill && !HasLargest(kind))
            throw new UserInputException($"--distill needs a sampler with the largest subnet in every step (sandwich or hybrid); --sampler {KindNames.Of(kind)} trains one subnet per step.");
    }

    private static bool HasLargest(SamplerKind kind) => kind is SamplerKind.Sandwich or SamplerKind.Hybrid;

    /// <inheritdoc/>
    public int PassesPerStep(int step) => HasLargest(Kind) ? 3 : 1;

    /// <inheritdoc/>
    public bool LearnsFromFirstPass(int step, int pass) => Distill && pass > 0;

    /// <inheritdoc/>
    public void BeforePass(int step, int pass)
    {
        if (step != _step)
        {
            _picks = Picks(step);
            _step = step;
        }
        _supernet.Activate(_picks[pass]);
    }

    /// <summary>
    /// The architectures of step <paramref name="step"/>, one per pass, in pass order: sandwich and hybrid give the random,
    /// the smallest and the largest subnet — with <see cref="Distill"/>, the largest first (the teacher), then the others.
    /// </summary>
    public Architecture[] Picks(int step)
    {
        var rng = new Generator(_seed ^ (0x9E3779B97F4A7C15UL * (ulong)(step + 1)));
        var space = _supernet.Space;
        return Kind switch
        {
            SamplerKind.Uniform => [space.Sample(rng)],
            SamplerKind.Spos => [EachChoiceUniform(space, rng)],
            SamplerKind.Sandwich => Ordered(space.Sample(rng), _smallest, _largest),
            _ => Hybrid(space, space.Sample(rng)),
        };
    }

    private Architecture[] Hybrid(ISearchSpace space, Architecture random) =>
        Ordered(random, space.WithSizesOf(random, _smallest), space.WithSizesOf(random, _largest));

    private Architecture[] Ordered(Architecture random, Architecture smallest, Architecture largest) =>
        Distill ? [largest, random, smallest] : [random, smallest, largest];

    /// <summary>Every choice of the space drawn on its own; the space drops the inactive ones, and rejects combinations its rules forbid (then we draw again, which keeps the draw uniform over the allowed ones).</summary>
    /// <exception cref="InvalidOperationException">No draw in 10,000 met the space's rules.</exception>
    public static Architecture EachChoiceUniform(ISearchSpace space, Generator rng) => ChoiceTable.Retry(() =>
    {
        var entries = new KeyValuePair<string, string>[space.Choices.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            var choice = space.Choices[i];
            entries[i] = new(choice.Name, ChoiceTable.Pick(choice, rng));
        }
        try
        {
            return space.Validate(new Architecture(space.Name, space.Preset, entries));
        }
        catch (UserInputException)
        {
            return null;
        }
    }, $"the rules of the {space.Name} space");
}
