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
    /// train/eval mode is restored afterwards. A row with a NaN or infinite logit counts as wrong (see
    /// <see cref="Accuracy.Hits"/>) and is counted in <see cref="EvalResult.NonFinite"/>.
    /// </summary>
    /// <exception cref="UserInputException">The source holds no images: there is no accuracy to report.</exception>
    /// <exception cref="InvalidOperationException">The batches held fewer or more images than the source's count (a bug in the source).</exception>
    public static EvalResult Evaluate(VisionModel model, IBatchSource data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count < 1) throw new UserInputException("There are no images to evaluate: the split is empty.");
        bool wasTraining = model.Training;
        model.Eval();
        // No weight changes during the evaluation: each is packed for the GEMM once, not once per batch.
        using var constant = ConstantWeights.Enter();
        try
        {
            double lossSum = 0;
            long top1 = 0, top5 = 0;
            int count = 0, nonFinite = 0;
            foreach (var batch in data.Epoch(0))
            {
                using var _ = Tape.NoGrad();
                using var __ = TensorScope.Enter();
                var logits = model.Forward(batch.Images);
                lossSum += Functional.CrossEntropy(logits, batch.Labels).Item() * batch.Labels.Length;
                var values = logits.AsSpan();
                top1 += Accuracy.Hits(values, batch.Labels, 1);
                top5 += Accuracy.Hits(values, batch.Labels, 5);
                nonFinite += Accuracy.NonFiniteRows(values, batch.Labels.Length);
                count += batch.Labels.Length;
            }
            // A loader whose batch arithmetic went wrong must not report "0 images" as a result.
            if (count != data.Count) throw new InvalidOperationException($"The batches held {count} images but the source has {data.Count}.");
            return new EvalResult((double)top1 / count, (double)top5 / count, lossSum / count, count, nonFinite);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
