using FormerSearch.Engine;
using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// GLiT's hierarchical search: an evolution over the distribution choices with the details fixed, then an evolution over
/// the details with the best distribution fixed. Both stages are one run of the study (generations numbered on), drawn
/// from one seeded generator. The paper retrains stage 1's top-5 and keeps the best retrained one; here the best by
/// (inherited) validation accuracy is kept, the top-5 staying in the study.
/// </summary>
public sealed class HierarchicalSearch : SearchAlgorithm<HierarchicalSettings>
{
    /// <summary>A hierarchical search with <paramref name="settings"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="UserInputException">Invalid settings.</exception>
    public HierarchicalSearch(HierarchicalSettings? settings = null, ulong seed = 0) : base(SearchAlgorithmKind.Hierarchical, settings, seed)
    {
    }

    /// <summary>The top architectures of stage 1 after the last run, best first.</summary>
    public IReadOnlyList<Candidate> StageOneTop { get; private set; } = [];

    /// <summary>Throws unless the space has choices in both groups.</summary>
    /// <exception cref="UserInputException">A group has no choice.</exception>
    protected override void CheckSpace(ISearchSpace space)
    {
        foreach (var group in new[] { Options.DistributionGroup, Options.DetailGroup })
            if (!space.Choices.Any(c => c.Group == group))
                throw new UserInputException($"Space {space.Name}/{space.Preset} has no choice in group '{group}'; the hierarchical search needs '{Options.DistributionGroup}' and '{Options.DetailGroup}' choices.");
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration) Search(SearchContext context, CandidatePool pool)
    {
        var space = context.Space;
        var rng = new Generator(Seed);
        var reference = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in space.Choices)
            reference[c.Name] = Options.FixDetailsAt switch { "smallest" => c.Smallest, "middle" => c.Values[c.Values.Count / 2], _ => c.Largest };

        // Stage 1: distributions, details fixed.
        var one = Stage(pool, Options.StageOne, rng, Options.DetailGroup, reference, reference);
        one.Run(firstGeneration: 0);
        if (one.Top.Count == 0)
            throw new UserInputException($"Stage 1 of the hierarchical search found no architecture of {space.Name}/{space.Preset} inside the constraints ({context.Constraints}) with the details fixed at their {Options.FixDetailsAt} values.");
        StageOneTop = one.Top.Take(Options.StageOneKeep).ToList();

        // Stage 2: details, the best distribution fixed.
        var best = StageOneTop[0].Architecture.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var two = Stage(pool, Options.StageTwo, rng, Options.DistributionGroup, best, reference);
        two.Run(firstGeneration: Options.StageOne.Generations);

        // Stage 1's best is itself an architecture of stage 2's restricted space: it is ranked with stage 2's.
        var top = Evolution.TopByAccuracy(two.Top, [StageOneTop[0]], Options.StageTwo.TopK);
        return (top, one.BestPerGeneration.Concat(two.BestPerGeneration.Select(b => Math.Max(b, one.BestPerGeneration[^1]))).ToList());
    }

    private static Evolution Stage(CandidatePool pool, EvolutionSettings settings, Generator rng, string fixedGroup,
        IReadOnlyDictionary<string, string> fixedValues, IReadOnlyDictionary<string, string> fallback)
    {
        var space = pool.Space;
        Architecture Fix(Architecture a) => Overlay(space, a, fixedGroup, fixedValues, fallback);
        return new Evolution(pool, settings, rng)
        {
            Sample = r => Fix(space.Sample(r)),
            Mutate = (a, r) => Fix(space.Mutate(a, settings.Mutation, r)),
            Crossover = (a, b, r) => Fix(space.Crossover(a, b, r)),
            StopWhenExhausted = true,
        };
    }

    /// <summary>
    /// <paramref name="architecture"/> with every choice of <paramref name="fixedGroup"/> set from <paramref name="fixedValues"/>;
    /// choices that become active without a value take <paramref name="fallback"/>'s. The space validates the result on admission.
    /// </summary>
    internal static Architecture Overlay(ISearchSpace space, Architecture architecture, string fixedGroup,
        IReadOnlyDictionary<string, string> fixedValues, IReadOnlyDictionary<string, string> fallback)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var c in space.Choices)
        {
            if (c.Group == fixedGroup && fixedValues.TryGetValue(c.Name, out var v)) entries.Add(new(c.Name, v));
            else if (architecture.Contains(c.Name)) entries.Add(new(c.Name, architecture[c.Name]));
            else if (fallback.TryGetValue(c.Name, out var f)) entries.Add(new(c.Name, f));
        }
        return new Architecture(architecture.Space, architecture.Preset, entries);
    }
}
