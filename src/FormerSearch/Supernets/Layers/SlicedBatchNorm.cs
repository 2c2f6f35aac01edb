using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// A BatchNorm over its first <see cref="ActiveChannels"/> channels (channels-last, any rank): the weight, bias and
/// running statistics are leading slices of the largest ones, so a subnet's statistics and gradients land in its own
/// channels. Names, buffers and recalibration (<see cref="IRunningStatistics"/>) are <see cref="BatchNormBase"/>'s.
/// </summary>
public sealed class SlicedBatchNorm : BatchNormBase, ISlicedLayer, ISlicedByWidth
{
    /// <summary>A BatchNorm of up to <paramref name="maxFeatures"/> channels, PyTorch's defaults (eps 1e-5, momentum 0.1), every channel active.</summary>
    /// <exception cref="ArgumentException"><paramref name="maxFeatures"/> is not positive.</exception>
    public SlicedBatchNorm(int maxFeatures, float eps = 1e-5f, float momentum = 0.1f) : base(maxFeatures, eps, momentum) => ActiveChannels = maxFeatures;

    /// <summary>Active channels.</summary>
    public int ActiveChannels { get; private set; }

    /// <inheritdoc/>
    public void Activate(int width)
    {
        if (width < 1 || width > NumFeatures) throw new ArgumentException($"A sliced BatchNorm of {NumFeatures} channels cannot run {width}.");
        ActiveChannels = width;
    }

    /// <inheritdoc/>
    public IEnumerable<ActiveTensor> ActiveState()
    {
        int c = ActiveChannels;
        yield return new ActiveTensor("weight", Weight.Value.Narrow(0, 0, c));
        yield return new ActiveTensor("bias", Bias.Value.Narrow(0, 0, c));
        yield return new ActiveTensor("running_mean", RunningMean.Narrow(0, 0, c));
        yield return new ActiveTensor("running_var", RunningVar.Narrow(0, 0, c));
        yield return new ActiveTensor("num_batches_tracked", NumBatchesTracked);
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor x)
    {
        if (x.Rank < 2 || x.Size(-1) != ActiveChannels)
            throw new ArgumentException($"This BatchNorm's active width is {ActiveChannels} of {NumFeatures}; got an input of shape {Tensor.FormatShape(x.Shape)}.", nameof(x));
    }
}
