using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary><c>a + b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);

    /// <summary><c>a − b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b);

    /// <summary><c>a · b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b);

    /// <summary><c>a / b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b);

    /// <summary><c>x + s</c>.</summary>
    public static Tensor Add(Tensor x, float s) => Binary(BinaryOp.Add, x, Tensor.Scalar(s));

    /// <summary><c>x − s</c>.</summary>
    public static Tensor Sub(Tensor x, float s) => Binary(BinaryOp.Sub, x, Tensor.Scalar(s));

    /// <summary><c>x · s</c>.</summary>
    public static Tensor Mul(Tensor x, float s) => Binary(BinaryOp.Mul, x, Tensor.Scalar(s));

    /// <summary><c>x / s</c> (a true division, as PyTorch's, not a multiplication by <c>1/s</c>).</summary>
    public static Tensor Div(Tensor x, float s) => Binary(BinaryOp.Div, x, Tensor.Scalar(s));

    /// <summary><c>−x</c>.</summary>
    public static Tensor Neg(Tensor x) => Binary(BinaryOp.Mul, x, Tensor.Scalar(-1f));

    /// <summary>
    /// Inverted dropout (<c>torch.nn.functional.dropout</c>): while training, each element is zeroed
    /// with probability <paramref name="p"/> (drawn from <paramref name="rng"/> in element order) and
    /// the rest scaled by <c>1/(1−p)</c>; the mask is saved for the backward. Returns <paramref name="x"/>
    /// itself when not training or <c>p = 0</c>; all zeros when <c>p = 1</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    public static Tensor Dropout(Tensor x, float p, bool training, Generator rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout probability must be in [0, 1]; got {p}.", nameof(p));
        if (!training || p == 0f) return x;
        using var trace = OpTrace.Enter();
        var mask = Tensor.Empty(x.Shape);
        var m = mask.AsSpan();
        float scale = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < p ? 0f : scale;
        var y = Mul(x, mask);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Dropout, y, x)) : y;
    }

    /// <summary>
    /// Stochastic depth as timm's <c>drop_path</c>: while training, each sample (index along dimension
    /// 0) is kept with probability <c>1−p</c> (one draw per sample from <paramref name="rng"/>) and then
    /// scaled by <c>1/(1−p)</c>, or zeroed. Returns <paramref name="x"/> itself when not training or
    /// <c>p = 0</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1] or <paramref name="x"/> is a scalar.</exception>
    public static Tensor DropPath(Tensor x, float p, bool training, Generator rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"DropPath probability must be in [0, 1]; got {p}.", nameof(p));
        if (!training || p == 0f) return x;
        if (x.Rank == 0) throw new ArgumentException("DropPath needs a batch dimension; got a scalar.", nameof(x));
        using var trace = OpTrace.Enter();
        Span<int> shape = stackalloc int[x.Rank];
        shape.Fill(1);
        shape[0] = x.Size(0);
        var mask = Tensor.Empty(shape);
        var m = mask.AsSpan();
        float keep = 1f - p;
        // timm divides by keep_prob only when it is positive (p = 1 drops everything).
        float scale = keep > 0f ? 1f / keep : 0f;
        var (before, after) = rng.BatchPart; // a data-parallel rank draws its rows of the one-process masks
        rng.Skip(before);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < keep ? scale : 0f;
        rng.Skip(after);
        var y = Mul(x, mask);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Dropout, y, x)) : y;
    }

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        using var trace = OpTrace.Enter();
        var y = BinaryFunction.Apply(op, a, b);
        if (!trace.IsRecording) return y;
        var kind = op switch
        {
            BinaryOp.Add => TracedOpKind.Add,
            BinaryOp.Sub => TracedOpKind.Sub,
            BinaryOp.Mul => TracedOpKind.Mul,
            _ => TracedOpKind.Div,
        };
        return trace.Record(new TracedOp(kind, y, a, b));
    }
}
