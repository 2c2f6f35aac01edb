using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>
    /// <c>f(x·Wᵀ + b)</c>: <see cref="Linear"/> then the pointwise <paramref name="activation"/> (None: the linear layer
    /// alone). When no input needs a gradient and no <see cref="OpTrace"/> is attached, one fused forward-only op
    /// (rounding as the two ops do, up to the activation's vector and scalar forms); otherwise the two ops, recorded and
    /// traced as such.
    /// </summary>
    /// <exception cref="ArgumentException">A shape does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is StarReLU (it has parameters of its own).</exception>
    public static Tensor LinearActivation(Tensor x, Tensor weight, Tensor? bias, ActivationKind activation)
    {
        if (activation == ActivationKind.StarRelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "LinearActivation takes a pointwise activation; StarReLU has its own op.");
        if (Tape.Needs(x, weight, bias) || OpTrace.IsAttached)
        {
            var linear = Linear(x, weight, bias);
            return activation == ActivationKind.None ? linear : Activation(activation, linear);
        }
        return InferenceLinear.Apply(x, weight, bias, activation);
    }

    /// <summary>
    /// A transformer block's MLP without dropout, <c>f(x·W1ᵀ + b1)·W2ᵀ + b2</c>, <paramref name="activation"/> pointwise
    /// (None: the two linear layers alone). Without gradients, <see cref="LinearActivation"/> then <see cref="Linear"/>;
    /// with them, where the shapes suit it and no <see cref="OpTrace"/> is attached, one op that keeps blocks of the hidden
    /// activations and their gradients in cache (bit for bit the separate ops); otherwise Linear, the activation and
    /// Linear, recorded and traced as such.
    /// </summary>
    /// <exception cref="ArgumentException">A shape does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is StarReLU (it has parameters of its own).</exception>
    public static Tensor Mlp(Tensor x, Tensor w1, Tensor? b1, ActivationKind activation, Tensor w2, Tensor? b2)
    {
        if (activation == ActivationKind.StarRelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Mlp takes a pointwise activation; StarReLU has its own op.");
        if (!Tape.Needs(x, w1, b1) && !Tape.Needs(w2, b2)) return Linear(LinearActivation(x, w1, b1, activation), w2, b2);
        if (!OpTrace.IsAttached && MlpFunction.Fits(x, w1, w2, activation)) return MlpFunction.Apply(x, w1, b1, activation, w2, b2);
        var h = Linear(x, w1, b1);
        return Linear(activation == ActivationKind.None ? h : Activation(activation, h), w2, b2);
    }

    /// <summary>
    /// A residual update <c>x + scale ⊙ (a − b)</c>: <paramref name="scale"/> a per-channel <c>[C]</c> (a layer scale; null:
    /// ones), <paramref name="b"/> a subtrahend of <paramref name="a"/>'s shape (null: none). Unless an <see cref="OpTrace"/>
    /// is attached, one fused op (each element <c>fma(scale, a − b, x)</c>; one pass backward too); otherwise
    /// <see cref="Sub(Tensor, Tensor)"/>, <see cref="Mul(Tensor, Tensor)"/> and <see cref="Add(Tensor, Tensor)"/> in that
    /// order, recorded and traced as such — and so also whenever the shapes need broadcasting.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor ScaledResidual(Tensor x, Tensor a, Tensor? b = null, Tensor? scale = null)
    {
        if (OpTrace.IsAttached || !ScaledResidualFunction.Fits(x, a, b, scale))
        {
            var branch = b is null ? a : Sub(a, b);
            if (scale is not null) branch = Mul(branch, scale);
            return Add(x, branch);
        }
        return ScaledResidualFunction.Apply(x, a, b, scale);
    }

    /// <summary>
    /// Multi-head attention <c>softmax(q·kᵀ/√d)·v</c> per head, the heads merged: q <c>[B, h, N, d]</c>, k <c>[B, h, M, d]</c>,
    /// v <c>[B, h, M, e]</c> (views allowed) → <c>[B, N, h·e]</c>. When no input needs a gradient and no
    /// <see cref="OpTrace"/> is attached, one fused forward-only op (the scale applied to the product rather than to q:
    /// the same up to rounding); otherwise q scaled, <see cref="MatMul"/>, <see cref="Softmax(Tensor)"/>, MatMul and the
    /// heads merged, recorded and traced as such.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static Tensor MultiHeadAttention(Tensor q, Tensor k, Tensor v)
    {
        if (!Tape.Needs(q, k, v) && !OpTrace.IsAttached && InferenceAttention.Fits(q, k, v)) return InferenceAttention.Apply(q, k, v);
        int b = q.Size(0), h = q.Size(1), n = q.Size(2), d = q.Size(3), e = v.Size(-1);
        var attn = Softmax(MatMul(Mul(q, MathF.Pow(d, -0.5f)), k.Transpose(2, 3)));        // [B, h, N, M]
        return MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, h * e);          // [B, N, h·e]
    }

    /// <summary>
    /// PoolFormer's token-mixer residual <c>x + scale ⊙ (AvgPool3x3(normed) − normed)</c> on <c>[B, H, W, C]</c>,
    /// <paramref name="scale"/> a per-channel layer scale (null: ones). When no input needs a gradient and no
    /// <see cref="OpTrace"/> is attached, one fused pass (the pooled values as <see cref="AvgPool3x3"/> gives them);
    /// otherwise AvgPool3x3 then <see cref="ScaledResidual"/>, recorded and traced as such.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static Tensor PoolResidual(Tensor x, Tensor normed, Tensor? scale = null)
    {
        if (Tape.Needs(x, normed, scale) || OpTrace.IsAttached || !InferencePoolResidual.Fits(x, normed, scale))
            return ScaledResidual(x, AvgPool3x3(normed), normed, scale);
        return InferencePoolResidual.Apply(x, normed, scale);
    }
}
