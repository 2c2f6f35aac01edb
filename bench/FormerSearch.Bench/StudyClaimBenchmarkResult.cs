namespace FormerSearch.Bench;

/// <summary>What <see cref="StudyClaimBenchmark.Run"/> measured.</summary>
/// <param name="Store">Where the study lived: <c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="Location">The study's file or URL (a URL never holds a password).</param>
/// <param name="Workers">Worker threads, each with its own study connection.</param>
/// <param name="Candidates">Candidates recorded, and each completed exactly once.</param>
/// <param name="Seconds">Wall time from the workers' start to the last one's end.</param>
/// <param name="ClaimsPerSecond">Completed candidates over <paramref name="Seconds"/>.</param>
/// <param name="BusyAnswers">TryClaim answers of Busy (another worker held the candidate): the contention.</param>
public sealed record StudyClaimBenchmarkResult(string Store, string Location, int Workers, int Candidates, double Seconds, double ClaimsPerSecond, long BusyAnswers);
