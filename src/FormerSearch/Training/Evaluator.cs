using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Training;

/// <summary>Eval-mode top-1, top-5 and loss of a model over a batch source.</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="model"/> in eval mode, without gradients, over epoch 0 of <paramref name="data"/>; the model's
    /// train/eval mode is restored afterwards.
    /// </summary>
    public static EvalResult Evaluate(VisionModel model, IBatchSource data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            double lossSum = 0;
            long top1 = 0, top5 = 0;
            int count = 0;
            foreach (var batch in data.Epoch(0))
            {
                using var _ = Tape.NoGrad();
                using var __ = TensorScope.Enter();
                var logits = model.Forward(batch.Images);
                lossSum += Functional.CrossEntropy(logits, batch.Labels).Item() * batch.Labels.Length;
                var values = logits.AsSpan();
                top1 += Accuracy.Hits(values, batch.Labels, 1);
                top5 += Accuracy.Hits(values, batch.Labels, 5);
                count += batch.Labels.Length;
            }
            return count == 0 ? new EvalResult(0, 0, double.NaN, 0) : new EvalResult((double)top1 / count, (double)top5 / count, lossSum / count, count);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
