using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Nn;

/// <summary>
/// What <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> share (PyTorch's <c>_BatchNorm</c>):
/// normalisation over the last (channel) axis of channels-last data; parameters <c>weight</c> (ones) and
/// <c>bias</c> (zeros), buffers <c>running_mean</c> (zeros), <c>running_var</c> (ones) and the rank-0
/// <c>num_batches_tracked</c> (a float here, counting training forwards). Training mode normalises with
/// the batch statistics and updates the running ones with <see cref="Momentum"/>; evaluation mode uses
/// the running statistics.
/// </summary>
public abstract class BatchNormBase : NormLayer, IRunningStatistics
{
    /// <summary>A batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">The channel count is not positive, eps is negative, or momentum is outside [0, 1].</exception>
    protected BatchNormBase(int numFeatures, float eps, float momentum) : base(numFeatures, nameof(numFeatures), eps)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{GetType().Name} needs a momentum in [0, 1], got {momentum}.", nameof(momentum));
        NumFeatures = numFeatures;
        Momentum = momentum;
        // Buffers live outside any scope (FromArray never pools) because they outlast every step.
        RunningMean = RegisterBuffer("running_mean", Tensor.FromArray(new float[numFeatures], numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.FromArray(new float[numFeatures], numFeatures));
        RunningVar.AsSpan().Fill(1f);
        // Optional on load, as PyTorch fills it in for checkpoints that predate it.
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.FromArray(new float[1]), optionalOnLoad: true);
    }

    /// <summary>Number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Weight of the new batch statistic in the running averages.</summary>
    public float Momentum { get; }

    /// <summary><c>[C]</c> running mean (updated in place by training forwards).</summary>
    public Tensor RunningMean { get; }

    /// <summary><c>[C]</c> running unbiased variance (updated in place by training forwards).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Rank-0 count of training forwards.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <inheritdoc/>
    public bool CumulativeAverage { get; set; }

    /// <summary>
    /// The ranks whose inputs training-mode statistics are taken over together (PyTorch's <c>SyncBatchNorm</c>); null (the
    /// default, as PyTorch DDP) for this process's input alone.
    /// </summary>
    public Distributed.ICommunicator? SyncGroup { get; set; }

    /// <inheritdoc/>
    public void ResetRunningStats()
    {
        RunningMean.AsSpan().Clear();
        RunningVar.AsSpan().Fill(1f);
        NumBatchesTracked.AsSpan()[0] = 0f;
    }

    /// <summary>Normalises <paramref name="x"/> (<c>[…, C]</c>, a rank the concrete class accepts); same shape out.</summary>
    /// <exception cref="ArgumentException">The rank or channel count is wrong, or training sees one value per channel.</exception>
    public override Tensor Forward(Tensor x)
    {
        CheckInput(x);
        // PyTorch counts the batch first, then (momentum=None) weighs it 1/count; a failed forward counts nothing.
        float count = NumBatchesTracked.AsSpan()[0] + 1f;
        float momentum = CumulativeAverage && Training ? 1f / count : Momentum;
        // An input with fewer channels than the layer (a supernet's active width) uses the leading ones.
        int c = x.Size(-1);
        var y = c == NumFeatures
            ? Functional.BatchNorm(x, Weight.Value, Bias.Value, RunningMean, RunningVar, Training, momentum, Eps, SyncGroup)
            : Functional.BatchNorm(x, Weight.Value.Narrow(0, 0, c), Bias.Value.Narrow(0, 0, c), RunningMean.Narrow(0, 0, c), RunningVar.Narrow(0, 0, c),
                Training, momentum, Eps, SyncGroup);
        if (Training) NumBatchesTracked.AsSpan()[0] = count;
        return y;
    }

    /// <summary>
    /// <see cref="Forward(Tensor)"/> then the pointwise <paramref name="activation"/>. In evaluation mode with no gradient to
    /// record, no <see cref="Tracing.OpTrace"/> attached and the layer's full width, one fused pass; otherwise the two ops.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Forward(Tensor)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not pointwise (StarReLU, None).</exception>
    public Tensor Forward(Tensor x, ActivationKind activation)
    {
        if (Training || Tape.IsEnabled || Tracing.OpTrace.IsAttached || x.Rank == 0 || x.Size(-1) != NumFeatures)
            return Functional.Activation(activation, Forward(x));
        CheckInput(x);
        return Ops.InferenceBatchNormActivation.Apply(x, Weight.Value, Bias.Value, RunningMean, RunningVar, Eps, activation);
    }

    /// <summary>Rejects inputs of a rank or channel count this kind of batch norm does not take (at most <see cref="NumFeatures"/> channels).</summary>
    protected abstract void CheckInput(Tensor x);
}
