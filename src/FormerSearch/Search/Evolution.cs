using FormerSearch.Engine;
using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// The evolutionary loop shared by evolution, each stage of the hierarchical search and the Pareto search: AutoFormer's
/// Alg. 2 with pluggable draws (so a stage can hold some choices fixed) and pluggable parent selection (top-k by accuracy,
/// or NSGA-II).
/// </summary>
internal sealed class Evolution
{
    private readonly CandidatePool _pool;
    private readonly EvolutionSettings _settings;
    private readonly Generator _rng;

    public Evolution(CandidatePool pool, EvolutionSettings settings, Generator rng)
    {
        _pool = pool;
        _settings = settings;
        _rng = rng;
        Sample = r => pool.Space.Sample(r);
        Mutate = (a, r) => pool.Space.Mutate(a, settings.Mutation, r);
        Crossover = (a, b, r) => pool.Space.Crossover(a, b, r);
        SelectParents = TopByAccuracy;
    }

    /// <summary>A random architecture of the (possibly restricted) space.</summary>
    public Func<Generator, Architecture> Sample { get; init; }

    /// <summary>A mutant of a parent.</summary>
    public Func<Architecture, Generator, Architecture> Mutate { get; init; }

    /// <summary>A child of two parents.</summary>
    public Func<Architecture, Architecture, Generator, Architecture> Crossover { get; init; }

    /// <summary>The next parents from the previous ones and the newly evaluated population, best first.</summary>
    public Func<IReadOnlyList<Candidate>, IReadOnlyList<Candidate>, int, List<Candidate>> SelectParents { get; init; }

    /// <summary>
    /// When the draws cannot fill a generation, go on with a smaller one, and stop when one is empty, instead of failing:
    /// for the hierarchical search's stages, whose restricted spaces can be smaller than their budget.
    /// </summary>
    public bool StopWhenExhausted { get; init; }

    /// <summary>Every candidate evaluated by this loop, in order.</summary>
    public List<Candidate> All { get; } = [];

    /// <summary>Best validation accuracy of the run after each generation.</summary>
    public List<double> BestPerGeneration { get; } = [];

    /// <summary>The top candidates by validation accuracy (official <c>keep_top_k[50]</c>), best first.</summary>
    public List<Candidate> Top { get; private set; } = [];

    /// <summary>Runs every generation; generation numbers in the study start at <paramref name="firstGeneration"/>.</summary>
    public void Run(int firstGeneration)
    {
        var parents = new List<Candidate>();
        var population = new List<Candidate>();
        for (int g = 0; g < _settings.Generations; g++)
        {
            int generation = firstGeneration + g;
            if (g > 0)
            {
                Children(population, parents, _settings.Mutations, generation, "mutation",
                    () => { var p = Pick(parents); return (Mutate(p.Architecture, _rng), [p.Key]); });
                Children(population, parents, _settings.Crossovers, generation, "crossover",
                    () => { var a = Pick(parents); var b = Pick(parents); return (Crossover(a.Architecture, b.Architecture, _rng), [a.Key, b.Key]); });
            }
            FillRandom(population, generation);
            if (population.Count == 0) break;
            _pool.Evaluate(population, generation);
            All.AddRange(population);
            parents = SelectParents(parents, population, _settings.Parents);
            Top = TopByAccuracy(Top, population, _settings.TopK);
            BestPerGeneration.Add(Top[0].Accuracy);
            _pool.EndGeneration(generation, population, parents);
            population = [];
        }
    }

    /// <summary>
    /// Official <c>update_top_k</c>: the previous list plus the new candidates, stably sorted by accuracy, first k (a NaN
    /// or infinite accuracy ranks last, see <see cref="Candidate.RankedAccuracy"/>).
    /// </summary>
    public static List<Candidate> TopByAccuracy(IReadOnlyList<Candidate> previous, IReadOnlyList<Candidate> population, int k) =>
        previous.Concat(population).OrderByDescending(c => c.RankedAccuracy).Take(k).ToList();

    private Candidate Pick(List<Candidate> parents) => parents[_rng.NextInt(parents.Count)];

    private void Children(List<Candidate> population, List<Candidate> parents, int wanted, int generation, string origin, Func<(Architecture, string[])> draw)
    {
        if (parents.Count == 0) return;
        int made = 0;
        for (int attempt = 0; made < wanted && attempt < wanted * _settings.AttemptsPerChild; attempt++)
        {
            var (child, from) = draw();
            if (_pool.TryAdmit(child, generation, origin, from) is { } c)
            {
                population.Add(c);
                made++;
            }
        }
    }

    private void FillRandom(List<Candidate> population, int generation)
    {
        int wanted = _settings.Population - population.Count;
        int limit = wanted * _settings.RandomAttemptsPerCandidate;
        for (int attempt = 0; population.Count < _settings.Population; attempt++)
        {
            if (attempt >= limit && StopWhenExhausted) return;
            if (attempt >= limit)
                throw new UserInputException($"Only {population.Count} of the {_settings.Population} candidates of generation {generation} could be drawn in {limit} random draws: " +
                    $"too few architectures of {_pool.Space.Name}/{_pool.Space.Preset} not yet evaluated meet the constraints; loosen them or shrink the population.");
            if (_pool.TryAdmit(Sample(_rng), generation, "random", []) is { } c) population.Add(c);
        }
    }
}
