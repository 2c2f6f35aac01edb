using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Inference;

/// <summary>
/// Wall time of eval-mode, gradient-free forward passes: what serving a model costs on this machine. The search's
/// latency constraint (<c>Pipeline/ForwardLatencyMeter</c>) and <c>former bench infer</c> measure with it.
/// </summary>
public static class ForwardTimer
{
    /// <summary>
    /// Median seconds of <paramref name="model"/>'s eval-mode forward on a random channels-last batch of
    /// <paramref name="batchSize"/> images drawn with <paramref name="seed"/>: one warm-up pass (pools and packed weights
    /// get allocated), then timed passes until at least <paramref name="minSeconds"/> have elapsed and at least
    /// <paramref name="minRuns"/> ran; the median, so a stray slow pass (GC, another process) does not move it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="batchSize"/> or <paramref name="minRuns"/> is below 1, or <paramref name="minSeconds"/> is negative.</exception>
    public static double MedianSeconds(VisionModel model, int batchSize, double minSeconds, int minRuns, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));

        var input = model.Input;
        var images = Tensor.Empty(batchSize, input.Height, input.Width, input.Channels); // [B, H, W, C], outside any scope: reused by every pass
        new Generator(seed).FillNormal(images.AsSpan());
        model.Eval();
        // The weights stay as they are for every pass: packed once, as a serving runtime does.
        using (ConstantWeights.Enter())
            return StepTimer.MedianSeconds(() => Pass(model, images), warmup: 1, minSeconds, minRuns);
    }

    private static void Pass(VisionModel model, Tensor images)
    {
        using (Tape.NoGrad())
        using (TensorScope.Enter())
            model.Forward(images);
    }
}
