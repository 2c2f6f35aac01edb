namespace FormerSearch.Studies;

/// <summary>One search run recorded in a study.</summary>
/// <param name="Name">The run's name (by default its algorithm: <c>evolution</c>, <c>random</c>, …).</param>
/// <param name="Algorithm">The algorithm that ran.</param>
/// <param name="Settings">Its settings, constraints and seed, as JSON.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="State"><c>running</c> or <c>finished</c>.</param>
/// <param name="Result">The result summary as JSON once finished.</param>
public sealed record StudyRun(string Name, string Algorithm, string Settings, ulong Seed, string State, string? Result);
