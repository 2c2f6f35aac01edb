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
internal sealed class CrossEntropyFunction : Function<CrossEntropyFunction>
{
    private readonly List<int> _targets = [];
    private Tensor _logits = null!, _logProbs = null!;
    private float _smoothing;
    private int _ignoreIndex;
    private int _counted;

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

        if (Tape.Needs(logits))
        {
            var node = Rent();
            node._logits = logits;
            node._logProbs = logProbs;
            node._smoothing = labelSmoothing;
            node._ignoreIndex = ignoreIndex;
            node._counted = counted;
            foreach (int t in targets) node._targets.Add(t);
            Tape.Record(node, output);
        }
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(_logits) is not { } gx || _counted == 0) return;
        int classes = _logits.Size(1);
        float scale = gradOutput.Item() / _counted;
        float onHot = 1f - _smoothing;
        float uniform = _smoothing / classes;
        var lp = _logProbs.AsSpan();
        var dx = gx.AsSpan();
        Span<float> tmp = stackalloc float[256];
        for (int i = 0; i < _targets.Count; i++)
        {
            int target = _targets[i];
            if (target == _ignoreIndex) continue;
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

    protected override void Clear()
    {
        _targets.Clear();
        _logits = null!;
        _logProbs = null!;
    }
}
