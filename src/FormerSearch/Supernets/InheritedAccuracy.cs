using FormerSearch.Spaces;
using FormerSearch.Training;

namespace FormerSearch.Supernets;

/// <summary>How well a subnet does with the weights it inherits from its supernet: the figure one-shot search ranks by.</summary>
public static class InheritedAccuracy
{
    /// <summary>
    /// Activates <paramref name="architecture"/>, re-estimates batch-norm statistics on <paramref name="bnBatches"/> batches of
    /// <paramref name="calibration"/> when the subnet has batch norm (SPOS), and evaluates it on <paramref name="data"/>.
    /// </summary>
    public static EvalResult Evaluate(Supernet supernet, Architecture architecture, IBatchSource data, IBatchSource? calibration, int bnBatches)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        supernet.Activate(architecture);
        if (calibration is not null && bnBatches > 0) BatchNormCalibration.Recalibrate(supernet, calibration, bnBatches);
        return Evaluator.Evaluate(supernet, data);
    }
}
