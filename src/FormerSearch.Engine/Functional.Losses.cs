using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    // An array rather than a literal span: Debug builds allocate for a literal on every call.
    private static readonly int[] s_lastDim = [-1];

    /// <summary>
    /// Cross-entropy of <paramref name="logits"/> <c>[B, K]</c> against class indices, averaged over the
    /// batch, exactly as <c>torch.nn.functional.cross_entropy(logits, targets,
    /// label_smoothing=labelSmoothing)</c> (targets equal to <paramref name="ignoreIndex"/> are
    /// skipped and not counted). A rank-0 tensor.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, a target is out of range, or the smoothing is outside [0, 1].</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, float labelSmoothing = 0f, int ignoreIndex = -100)
    {
        using var trace = OpTrace.Enter();
        var loss = CrossEntropyFunction.Apply(logits, targets, labelSmoothing, ignoreIndex);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Loss, loss, logits)) : loss;
    }

    /// <summary>
    /// timm's <c>SoftTargetCrossEntropy</c> (for mixup/cutmix targets): the batch mean of
    /// <c>Σ_k −targets·log_softmax(logits)</c> over the last dimension. A rank-0 tensor; gradients flow
    /// to both inputs.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor targets)
    {
        if (logits.Rank != 2 || !logits.Shape.SequenceEqual(targets.Shape))
            throw new ArgumentException($"SoftTargetCrossEntropy needs logits and targets of one shape [batch, classes]; got {Tensor.FormatShape(logits.Shape)} and {Tensor.FormatShape(targets.Shape)}.");
        using var trace = OpTrace.Enter();
        var perSample = Sum(Mul(targets, LogSoftmax(logits)), s_lastDim); // [B]
        var loss = Neg(Mean(perSample));
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Loss, loss, logits, targets)) : loss;
    }
}
