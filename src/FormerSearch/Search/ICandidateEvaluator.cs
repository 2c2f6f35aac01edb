using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// Scores an architecture for search: the pipeline implements it with weights inherited from the supernet (and batch-norm
/// statistics recalibrated where the subnet has batch norm). Results are memoised by the study, so each architecture is
/// evaluated once per study, whatever the number of workers or resumes; an evaluation must therefore be a function of the
/// architecture alone (same supernet, same validation images).
/// </summary>
public interface ICandidateEvaluator
{
    /// <summary>Top-1 accuracy on the held-out validation split, in [0, 1] or in percent (the study stores what is returned).</summary>
    double ValidationAccuracy(Architecture architecture);

    /// <summary>True when <see cref="TestAccuracy"/> is available (the final top-k then get a test-set accuracy too).</summary>
    bool HasTestSet { get; }

    /// <summary>Top-1 accuracy on the test split, recorded separately and never used to select.</summary>
    /// <exception cref="NotSupportedException">The evaluator has no test set (<see cref="HasTestSet"/> is false).</exception>
    double TestAccuracy(Architecture architecture);
}
