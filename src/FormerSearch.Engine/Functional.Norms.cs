using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>
    /// Layer normalisation over the last axis C, as <c>nn.LayerNorm(C)</c>:
    /// <c>(x − mean)/sqrt(var + eps)·weight + bias</c> per row, biased variance. Channels-last, so on
    /// <c>[B, H, W, C]</c> feature maps it is timm's LayerNorm2d and on <c>[B, N, C]</c> tokens the usual LN.
    /// <paramref name="weight"/>/<paramref name="bias"/> are <c>[C]</c> (possibly prefix views of larger
    /// vectors) or null for 1/0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar, or weight/bias are not <c>[C]</c>.</exception>
    public static Tensor LayerNorm(Tensor x, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        using var trace = OpTrace.Enter();
        var y = LayerNormFunction.Apply(x, weight, bias, eps);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.LayerNorm, y, x, weight, bias) { Eps = eps }) : y;
    }

    /// <summary>
    /// GroupNorm with one group, exactly <c>nn.GroupNorm(1, C)</c> on channels-last input
    /// <c>[B, H, W, C]</c> or <c>[B, N, C]</c>: each sample is normalised by the mean and biased variance
    /// of all its positions and channels, then scaled and shifted per channel (PoolFormer's norm).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has rank below 2, or weight/bias are not <c>[C]</c>.</exception>
    public static Tensor GroupNorm1(Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f)
    {
        using var trace = OpTrace.Enter();
        var y = GroupNorm1Function.Apply(x, weight, bias, eps);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.GroupNorm1, y, x, weight, bias) { Eps = eps }) : y;
    }

    /// <summary>
    /// Batch normalisation over the channel axis (the last) of channels-last <c>[..., C]</c> data, as
    /// <c>F.batch_norm</c>. With <paramref name="training"/> the batch statistics over all positions
    /// normalise the input and <paramref name="runningMean"/>/<paramref name="runningVar"/> (plain
    /// contiguous <c>[C]</c> tensors, possibly prefix views, or null) are updated in place:
    /// <c>r = (1 − momentum)·r + momentum·stat</c>, with the unbiased variance. Otherwise the running
    /// statistics normalise. Backward works in both modes.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Shapes do not match <c>[C]</c>, running statistics are strided or missing in evaluation, or
    /// training sees only one value per channel.
    /// </exception>
    /// <param name="group">In training, the ranks whose inputs the statistics are taken over together (synchronised batch norm); null for this input alone.</param>
    public static Tensor BatchNorm(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f, Distributed.ICommunicator? group = null)
    {
        using var trace = OpTrace.Enter();
        var y = BatchNormFunction.Apply(x, weight, bias, runningMean, runningVar, training, momentum, eps, group);
        return trace.IsRecording
            ? trace.Record(new TracedOp(TracedOpKind.BatchNorm, y, x, weight, bias, runningMean, runningVar) { Eps = eps, Training = training })
            : y;
    }
}
