namespace FormerSearch.Search;

/// <summary>Progress of a search run, for a display: after each evaluated candidate and at the end of each generation.</summary>
/// <param name="Run">The run's name in the study.</param>
/// <param name="Generation">Current generation (or batch).</param>
/// <param name="Evaluated">Candidates of the run with a validation accuracy so far.</param>
/// <param name="Budget">Candidates the run will evaluate in all (at most).</param>
/// <param name="BestAccuracy">Best validation accuracy of the run so far, or null before the first.</param>
/// <param name="FromStudy">True when the last result came from the study (replayed or evaluated by another worker).</param>
public readonly record struct SearchEvent(string Run, int Generation, int Evaluated, int Budget, double? BestAccuracy, bool FromStudy);
