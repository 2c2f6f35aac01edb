namespace FormerSearch.Studies;

/// <summary>One architecture stored in a study, with what is known of it.</summary>
/// <param name="Key">Canonical key.</param>
/// <param name="ArchitectureJson">The architecture file form.</param>
/// <param name="Params">Parameters of the standalone model.</param>
/// <param name="Macs">MACs per image.</param>
/// <param name="Latency">Measured latency, if measured.</param>
/// <param name="ValidationAccuracy">Validation accuracy once evaluated.</param>
/// <param name="TestAccuracy">Test accuracy (final top-k only).</param>
/// <param name="Generation">Generation of the run that first drew it.</param>
/// <param name="Parents">Keys of its parents in that run.</param>
/// <param name="Run">The run that first drew it.</param>
/// <param name="Status"><c>new</c>, <c>claimed</c>, <c>done</c>, <c>testing</c>, <c>tested</c>.</param>
/// <param name="Claimant">The worker holding its claim, while claimed.</param>
public sealed record StudyCandidate(string Key, string ArchitectureJson, long Params, long Macs, double? Latency, double? ValidationAccuracy,
    double? TestAccuracy, int Generation, IReadOnlyList<string> Parents, string Run, string Status, string? Claimant);
