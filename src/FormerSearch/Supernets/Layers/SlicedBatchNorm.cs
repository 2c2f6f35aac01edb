using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// A BatchNorm over the first <c>C</c> of its channels, <c>C</c> being the input's last dimension (channels-last), of
/// any rank: the weight, bias and running statistics are leading slices of the largest ones, so a subnet's statistics
/// and gradients land in its own channels. Names, buffers and recalibration (<see cref="IRunningStatistics"/>) are
/// <see cref="BatchNormBase"/>'s.
/// </summary>
public sealed class SlicedBatchNorm : BatchNormBase
{
    /// <summary>A BatchNorm of up to <paramref name="maxFeatures"/> channels, PyTorch's defaults (eps 1e-5, momentum 0.1).</summary>
    /// <exception cref="ArgumentException"><paramref name="maxFeatures"/> is not positive.</exception>
    public SlicedBatchNorm(int maxFeatures, float eps = 1e-5f, float momentum = 0.1f) : base(maxFeatures, eps, momentum) { }

    /// <summary>The first <paramref name="channels"/> channels' state under the zoo BatchNorm's names with <paramref name="prefix"/> (views, for copying into an extracted model).</summary>
    public void ActiveState(string prefix, int channels, IDictionary<string, Tensor> into)
    {
        into[prefix + "weight"] = Weight.Value.Narrow(0, 0, channels);
        into[prefix + "bias"] = Bias.Value.Narrow(0, 0, channels);
        into[prefix + "running_mean"] = RunningMean.Narrow(0, 0, channels);
        into[prefix + "running_var"] = RunningVar.Narrow(0, 0, channels);
        into[prefix + "num_batches_tracked"] = NumBatchesTracked;
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor x)
    {
        if (x.Rank < 2 || x.Size(-1) > NumFeatures)
            throw new ArgumentException($"This BatchNorm holds {NumFeatures} channels; got an input of shape {Tensor.FormatShape(x.Shape)}.", nameof(x));
    }
}
