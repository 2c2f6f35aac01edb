using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// A BatchNorm over the first <c>C</c> of its channels, <c>C</c> being the input's last dimension (channels-last): the
/// weight, bias and running statistics are leading slices (views) of the largest ones, so a subnet's statistics
/// and gradients land in its own channels. Names and buffers are <see cref="BatchNorm2d"/>'s; the running statistics
/// can be reset and re-averaged (<see cref="IRunningStatistics"/>) to recalibrate a subnet before it is evaluated.
/// </summary>
public sealed class SlicedBatchNorm : Module, ILayer, IRunningStatistics
{
    /// <summary>A BatchNorm of up to <paramref name="maxFeatures"/> channels, PyTorch's defaults (eps 1e-5, momentum 0.1).</summary>
    /// <exception cref="ArgumentException"><paramref name="maxFeatures"/> is not positive.</exception>
    public SlicedBatchNorm(int maxFeatures, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (maxFeatures < 1) throw new ArgumentException($"A sliced BatchNorm needs a positive channel count; got {maxFeatures}.");
        MaxFeatures = maxFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", new Parameter(maxFeatures));
        Bias = RegisterParameter("bias", new Parameter(maxFeatures));
        Init.Ones(Weight.Value);
        RunningMean = RegisterBuffer("running_mean", Tensor.FromArray(new float[maxFeatures], maxFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.FromArray(new float[maxFeatures], maxFeatures));
        RunningVar.AsSpan().Fill(1f);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.FromArray(new float[1]), optionalOnLoad: true);
    }

    /// <summary>The largest channel count.</summary>
    public int MaxFeatures { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of a new batch in the running statistics (unless <see cref="CumulativeAverage"/>).</summary>
    public float Momentum { get; }

    /// <summary>Scale, <c>[MaxFeatures]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Shift, <c>[MaxFeatures]</c>.</summary>
    public Parameter Bias { get; }

    /// <summary>Running mean, <c>[MaxFeatures]</c>.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance, <c>[MaxFeatures]</c>.</summary>
    public Tensor RunningVar { get; }

    /// <summary>Training batches seen (one counter for every width, as one module).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <inheritdoc/>
    public bool CumulativeAverage { get; set; }

    /// <inheritdoc/>
    public void ResetRunningStats()
    {
        RunningMean.AsSpan().Clear();
        RunningVar.AsSpan().Fill(1f);
        NumBatchesTracked.AsSpan()[0] = 0f;
    }

    /// <summary><c>[…, C]</c> → <c>[…, C]</c>, normalised with channels <c>[0, C)</c>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxFeatures"/> channels.</exception>
    public Tensor Forward(Tensor x)
    {
        int c = x.Size(-1);
        if (c > MaxFeatures) throw new ArgumentException($"This BatchNorm holds {MaxFeatures} channels; got an input of {c}.");
        float count = NumBatchesTracked.AsSpan()[0] + 1f;
        float momentum = CumulativeAverage && Training ? 1f / count : Momentum;
        var y = Functional.BatchNorm(x, Weight.Value.Narrow(0, 0, c), Bias.Value.Narrow(0, 0, c),
            RunningMean.Narrow(0, 0, c), RunningVar.Narrow(0, 0, c), Training, momentum, Eps);
        if (Training) NumBatchesTracked.AsSpan()[0] = count;
        return y;
    }

    /// <summary>The first <paramref name="channels"/> channels' state under the zoo BatchNorm's names with <paramref name="prefix"/> (views, for copying into an extracted model).</summary>
    public void ActiveState(string prefix, int channels, IDictionary<string, Tensor> into)
    {
        into[prefix + "weight"] = Weight.Value.Narrow(0, 0, channels);
        into[prefix + "bias"] = Bias.Value.Narrow(0, 0, channels);
        into[prefix + "running_mean"] = RunningMean.Narrow(0, 0, channels);
        into[prefix + "running_var"] = RunningVar.Narrow(0, 0, channels);
        into[prefix + "num_batches_tracked"] = NumBatchesTracked;
    }
}
