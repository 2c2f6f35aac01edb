namespace FormerSearch.Studies;

/// <summary>A candidate as a run drew it: position in the run's deterministic sequence, generation, origin, parents.</summary>
/// <param name="Ordinal">Position in the run's sequence of admitted candidates.</param>
/// <param name="Key">Canonical key (joins <see cref="StudyCandidate"/>).</param>
/// <param name="Generation">Generation or batch.</param>
/// <param name="Origin"><c>random</c>, <c>mutation</c>, <c>crossover</c>.</param>
/// <param name="Parents">Keys of its parents.</param>
public sealed record StudyMember(int Ordinal, string Key, int Generation, string Origin, IReadOnlyList<string> Parents);
