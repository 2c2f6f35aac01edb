using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// AutoFormer's evolutionary search (Alg. 2; official <c>evolution.py</c>): a random first population, then each generation
/// mutants and crossovers of the top parents plus random fill, the parents being the best validation accuracies seen so far.
/// </summary>
public sealed class EvolutionSearch : SearchAlgorithm<EvolutionSettings>
{
    /// <summary>An evolution with <paramref name="settings"/> (default: the paper's) and <paramref name="seed"/>.</summary>
    /// <exception cref="FormerSearch.Engine.UserInputException">Invalid settings.</exception>
    public EvolutionSearch(EvolutionSettings? settings = null, ulong seed = 0) : base(SearchAlgorithmKind.Evolution, settings, seed)
    {
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<Candidate> Top, IReadOnlyList<double> BestPerGeneration) Search(SearchContext context, CandidatePool pool)
    {
        var evolution = new Evolution(pool, Options, new Generator(Seed));
        evolution.Run(firstGeneration: 0);
        return (evolution.Top, evolution.BestPerGeneration);
    }
}
