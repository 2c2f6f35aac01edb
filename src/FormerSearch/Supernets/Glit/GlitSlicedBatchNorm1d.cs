using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// <c>nn.BatchNorm1d</c> at its largest channel count whose input may have fewer channels: the leading ones' weight,
/// bias and running statistics are used (views), so training updates only the active statistics. Same parameter and
/// buffer names as <see cref="BatchNorm1d"/>; its running statistics are re-estimated per subnet before evaluation
/// (<see cref="IRunningStatistics"/>).
/// </summary>
public sealed class GlitSlicedBatchNorm1d : Module, IRunningStatistics
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    private readonly Tensor _numBatchesTracked;

    /// <summary>A batch norm over at most <paramref name="maxFeatures"/> channels (PyTorch's defaults: eps 1e-5, momentum 0.1).</summary>
    /// <exception cref="ArgumentException">The channel count is not positive.</exception>
    public GlitSlicedBatchNorm1d(int maxFeatures, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (maxFeatures < 1) throw new ArgumentException($"A sliced BatchNorm1d needs a positive channel count; got {maxFeatures}.");
        MaxFeatures = maxFeatures;
        Eps = eps;
        Momentum = momentum;
        _weight = RegisterParameter("weight", new Parameter(maxFeatures));
        _bias = RegisterParameter("bias", new Parameter(maxFeatures));
        Init.Ones(_weight.Value);
        _runningMean = RegisterBuffer("running_mean", Tensor.FromArray(new float[maxFeatures], maxFeatures));
        _runningVar = RegisterBuffer("running_var", Tensor.FromArray(new float[maxFeatures], maxFeatures));
        _runningVar.AsSpan().Fill(1f);
        _numBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.FromArray(new float[1]), optionalOnLoad: true);
    }

    /// <summary>Largest channel count.</summary>
    public int MaxFeatures { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of a new batch statistic in the running averages.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    public bool CumulativeAverage { get; set; }

    /// <inheritdoc/>
    public void ResetRunningStats()
    {
        _runningMean.AsSpan().Clear();
        _runningVar.AsSpan().Fill(1f);
        _numBatchesTracked.AsSpan()[0] = 0f;
    }

    /// <summary>Normalises <c>[B, N, C]</c> or <c>[B, C]</c> with the first C channels' parameters and statistics.</summary>
    /// <exception cref="ArgumentException">The input has more channels than <see cref="MaxFeatures"/> or another rank.</exception>
    public Tensor Forward(Tensor x)
    {
        int c = x.Size(-1);
        if ((x.Rank != 2 && x.Rank != 3) || c > MaxFeatures)
            throw new ArgumentException($"A sliced BatchNorm1d of at most {MaxFeatures} channels takes [B, C] or [B, N, C]; got {Tensor.FormatShape(x.Shape)}.");
        // PyTorch counts the batch first, then (momentum=None) weighs it 1/count.
        float count = _numBatchesTracked.AsSpan()[0] + 1f;
        float momentum = CumulativeAverage && Training ? 1f / count : Momentum;
        var y = Functional.BatchNorm(x, _weight.Value.Narrow(0, 0, c), _bias.Value.Narrow(0, 0, c),
            _runningMean.Narrow(0, 0, c), _runningVar.Narrow(0, 0, c), Training, momentum, Eps);
        if (Training) _numBatchesTracked.AsSpan()[0] = count;
        return y;
    }

    /// <summary>Copies the first <paramref name="channels"/> channels' parameters and statistics, and the batch count, into the tensors of a zoo <see cref="BatchNorm1d"/> whose state-dict names start with <paramref name="prefix"/>.</summary>
    public void CopyInto(IReadOnlyDictionary<string, Tensor> target, string prefix, int channels)
    {
        target[prefix + "weight"].CopyFrom(_weight.Value.Narrow(0, 0, channels));
        target[prefix + "bias"].CopyFrom(_bias.Value.Narrow(0, 0, channels));
        target[prefix + "running_mean"].CopyFrom(_runningMean.Narrow(0, 0, channels));
        target[prefix + "running_var"].CopyFrom(_runningVar.Narrow(0, 0, channels));
        target[prefix + "num_batches_tracked"].CopyFrom(_numBatchesTracked);
    }
}
