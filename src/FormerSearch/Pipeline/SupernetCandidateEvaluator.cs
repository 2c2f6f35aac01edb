using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

/// <summary>Scores architectures with the weights they inherit from a trained supernet, after BN recalibration where the subnet has BN.</summary>
public sealed class SupernetCandidateEvaluator(Supernet supernet, IBatchSource validation, IBatchSource? test, IBatchSource calibration, int bnBatches)
    : ICandidateEvaluator
{
    /// <inheritdoc/>
    public bool HasTestSet => test is not null;

    /// <inheritdoc/>
    public double ValidationAccuracy(Architecture architecture) =>
        InheritedAccuracy.Evaluate(supernet, architecture, validation, calibration, bnBatches).Top1;

    /// <inheritdoc/>
    public double TestAccuracy(Architecture architecture) =>
        InheritedAccuracy.Evaluate(supernet, architecture, test ?? throw new NotSupportedException("This evaluator has no test set."), calibration, bnBatches).Top1;
}
