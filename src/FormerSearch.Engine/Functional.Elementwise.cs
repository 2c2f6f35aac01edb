using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Ops;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary><c>a + b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Add(Tensor a, Tensor b) => BinaryFunction.Apply(BinaryOp.Add, a, b);

    /// <summary><c>a − b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Sub(Tensor a, Tensor b) => BinaryFunction.Apply(BinaryOp.Sub, a, b);

    /// <summary><c>a · b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Mul(Tensor a, Tensor b) => BinaryFunction.Apply(BinaryOp.Mul, a, b);

    /// <summary><c>a / b</c> elementwise with PyTorch broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Div(Tensor a, Tensor b) => BinaryFunction.Apply(BinaryOp.Div, a, b);

    /// <summary><c>x + s</c>.</summary>
    public static Tensor Add(Tensor x, float s) => BinaryFunction.Apply(BinaryOp.Add, x, Tensor.Scalar(s));

    /// <summary><c>x − s</c>.</summary>
    public static Tensor Sub(Tensor x, float s) => BinaryFunction.Apply(BinaryOp.Sub, x, Tensor.Scalar(s));

    /// <summary><c>x · s</c>.</summary>
    public static Tensor Mul(Tensor x, float s) => BinaryFunction.Apply(BinaryOp.Mul, x, Tensor.Scalar(s));

    /// <summary><c>x / s</c> (a true division, as PyTorch's, not a multiplication by <c>1/s</c>).</summary>
    public static Tensor Div(Tensor x, float s) => BinaryFunction.Apply(BinaryOp.Div, x, Tensor.Scalar(s));

    /// <summary><c>−x</c>.</summary>
    public static Tensor Neg(Tensor x) => BinaryFunction.Apply(BinaryOp.Mul, x, Tensor.Scalar(-1f));

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
        var mask = Tensor.Empty(x.Shape);
        var m = mask.AsSpan();
        float scale = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < p ? 0f : scale;
        return Mul(x, mask);
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
        Span<int> shape = stackalloc int[x.Rank];
        shape.Fill(1);
        shape[0] = x.Size(0);
        var mask = Tensor.Empty(shape);
        var m = mask.AsSpan();
        float keep = 1f - p;
        // timm divides by keep_prob only when it is positive (p = 1 drops everything).
        float scale = keep > 0f ? 1f / keep : 0f;
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < keep ? scale : 0f;
        return Mul(x, mask);
    }
}
