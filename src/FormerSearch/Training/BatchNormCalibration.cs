using FormerSearch.Data;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;

namespace FormerSearch.Training;

/// <summary>
/// Re-estimates batch-norm running statistics for the model as it is now (a supernet's active subnet): reset, then a
/// plain average over a few training batches in training mode without gradients, as SPOS does before evaluating a
/// subnet. Models without batch norm are left untouched and cost nothing.
/// </summary>
public static class BatchNormCalibration
{
    /// <summary>Batches a subnet's statistics are re-estimated on when nothing says otherwise (<c>supernet eval</c>, <c>extract</c>, <c>rank-study</c>).</summary>
    public const int DefaultBatches = 20;

    /// <summary>Images per batch of <see cref="Batches"/>.</summary>
    public const int BatchSize = 128;

    /// <summary>
    /// The batches a supernet's subnet is recalibrated on — by <c>supernet eval</c> and by <c>extract</c> alike, so the model
    /// <c>extract</c> writes is the one <c>supernet eval</c> scored: un-augmented training images in the order
    /// <paramref name="seed"/> shuffles them, <see cref="BatchSize"/> at a time.
    /// </summary>
    public static IBatchSource Batches(ImageDataset train, ModelInput input, int numClasses, ulong seed) =>
        DataLoader.ForTraining(train, BatchSize, Augmentation.None, input, numClasses, seed);

    /// <summary>Whether <paramref name="model"/> has layers with running statistics (batch norm) to recalibrate.</summary>
    public static bool HasRunningStatistics(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Modules().OfType<IRunningStatistics>().Any();
    }

    /// <summary>Recalibrates over the first <paramref name="batches"/> batches of epoch 0 of <paramref name="data"/>; returns false when the model has no batch norm.</summary>
    /// <exception cref="ArgumentException"><paramref name="batches"/> is below 1.</exception>
    public static bool Recalibrate(VisionModel model, IBatchSource data, int batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (batches < 1) throw new ArgumentException($"BN recalibration needs at least 1 batch; got {batches}.", nameof(batches));
        var layers = model.Modules().OfType<IRunningStatistics>().ToArray();
        if (layers.Length == 0) return false;
        bool wasTraining = model.Training;
        // Drop-path draws during the passes must not shift the model's generator: search results would then depend
        // on the order candidates were evaluated in.
        var generatorState = model.Randomness?.State;
        foreach (var layer in layers)
        {
            layer.ResetRunningStats();
            layer.CumulativeAverage = true;
        }
        model.Train();
        try
        {
            int seen = 0;
            foreach (var batch in data.Epoch(0))
            {
                if (seen++ == batches) break;
                using var _ = Tape.NoGrad();
                using var __ = TensorScope.Enter();
                model.Forward(batch.Images);
            }
        }
        finally
        {
            foreach (var layer in layers) layer.CumulativeAverage = false;
            model.Train(wasTraining);
            if (generatorState is { } state) model.Randomness!.State = state;
        }
        return true;
    }
}
