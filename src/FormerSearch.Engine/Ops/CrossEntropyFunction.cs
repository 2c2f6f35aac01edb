using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Softmax;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// <c>torch.nn.functional.cross_entropy(logits, targets, label_smoothing=ε)</c> with the mean
/// reduction: per sample <c>(1−ε)·(−log p_t) + (ε/K)·Σ_k −log p_k</c>, averaged over the samples whose
/// target is not <c>ignoreIndex</c>. Backward: <c>dlogits = g/n · (p − (1−ε)·onehot(t) − ε/K)</c> on
/// those rows. The log-probabilities are saved from the forward.
/// </summary>
internal sealed class CrossEntropyFunction : Function<CrossEntropyFunction, CrossEntropyFunction.State, int>
{
    /// <summary>The logits, their log-softmax, the smoothing, the ignored target and how many rows counted (the targets are the saved items).</summary>
    internal readonly record struct State(Tensor Logits, Tensor LogProbs, float Smoothing, int IgnoreIndex, int Counted);

    public static Tensor Apply(Tensor logits, ReadOnlySpan<int> targets, float labelSmoothing, int ignoreIndex)
    {
        if (logits.Rank != 2)
            throw new ArgumentException($"CrossEntropy needs logits of shape [batch, classes]; got {Tensor.FormatShape(logits.Shape)}.");
        int batch = logits.Size(0), classes = logits.Size(1);
        if (targets.Length != batch)
            throw new ArgumentException($"CrossEntropy got {targets.Length} targets for {batch} rows of logits {Tensor.FormatShape(logits.Shape)}.");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentException($"CrossEntropy label smoothing must be in [0, 1]; got {labelSmoothing}.");
        foreach (int t in targets)
            if (t != ignoreIndex && (uint)t >= (uint)classes)
                throw new ArgumentException($"CrossEntropy target {t} is outside the {classes} classes of logits {Tensor.FormatShape(logits.Shape)}.");
        logits = logits.Contiguous();

        var logProbs = Tensor.Empty(batch, classes);
        SoftmaxKernels.Forward(log: true, logits.Elements, logProbs.Elements, classes);
        var lp = logProbs.AsSpan();
        // Row terms in order, in double: the loss is one number, so this is cheap and stable.
        double nll = 0, smooth = 0;
        int counted = 0;
        for (int i = 0; i < batch; i++)
        {
            if (targets[i] == ignoreIndex) continue;
            var row = lp.Slice(i * classes, classes);
            nll -= row[targets[i]];
            if (labelSmoothing > 0f) smooth -= TensorPrimitives.Sum(row);
            counted++;
        }
        // torch: (1−ε)·nll/n + (ε/K)·smooth/n; an all-ignored batch gives 0/0 = NaN, as there.
        double loss = (1.0 - labelSmoothing) * (nll / counted);
        if (labelSmoothing > 0f) loss += smooth / counted * (labelSmoothing / classes);
        var output = Tensor.Scalar((float)loss);

        if (Tape.Needs(logits)) Record(new(logits, logProbs, labelSmoothing, ignoreIndex, counted), targets, output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (logits, logProbs, smoothing, ignoreIndex, counted) = Saved;
        if (Tape.GradOf(logits) is not { } gx || counted == 0) return;
        int classes = logits.Size(1);
        float scale = gradOutput.Item() / counted;
        float onHot = 1f - smoothing;
        float uniform = smoothing / classes;
        var lp = logProbs.AsSpan();
        var dx = gx.AsSpan();
        Span<float> tmp = stackalloc float[256];
        for (int i = 0; i < SavedItems.Count; i++)
        {
            int target = SavedItems[i];
            if (target == ignoreIndex) continue;
            var row = lp.Slice(i * classes, classes);
            var drow = dx.Slice(i * classes, classes);
            // drow += scale·(e^logp − ε/K), then the target's −scale·(1−ε).
            for (int c = 0; c < classes; c += tmp.Length)
            {
                int m = Math.Min(tmp.Length, classes - c);
                var t = tmp[..m];
                TensorPrimitives.Exp(row.Slice(c, m), t);
                TensorPrimitives.Subtract(t, uniform, t);
                TensorPrimitives.MultiplyAdd(t, scale, drow.Slice(c, m), drow.Slice(c, m));
            }
            drow[target] -= scale * onHot;
        }
    }
}
