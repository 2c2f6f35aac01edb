namespace FormerSearch.Studies;

/// <summary>A run's state at the end of one generation (or batch).</summary>
/// <param name="Generation">Generation index, from 0.</param>
/// <param name="Population">Keys evaluated in this generation.</param>
/// <param name="Top">Keys of the run's top-k after it, best first (evolution: the parents of the next generation).</param>
/// <param name="BestAccuracy">Best validation accuracy of the run so far.</param>
public sealed record StudyGeneration(int Generation, IReadOnlyList<string> Population, IReadOnlyList<string> Top, double BestAccuracy);
