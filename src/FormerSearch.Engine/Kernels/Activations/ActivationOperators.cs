using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// Forward and backward of each activation as pointwise operators. Forward operators ignore their
/// second input; backward ones take the saved input <c>x</c> (or output <c>y</c>) and the output
/// gradient <c>g</c> and return the input gradient. Formulas and masks follow PyTorch's kernels.
/// </summary>
internal static class ActivationOperators
{
    private const float SqrtHalf = 0.70710678118654752f;        // 1/√2
    private const float InvSqrtTwoPi = 0.39894228040143268f;    // 1/√(2π)

    /// <summary>GELU, erf form: <c>x · Φ(x)</c> with <c>Φ(x) = ½ · (1 + erf(x/√2))</c>.</summary>
    public readonly struct GeluForward : IPointwiseOperator
    {
        public static float Invoke(float x, float g) => x * NormalCdf(x);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => x * NormalCdf(x);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => x * NormalCdf(x);
    }

    /// <summary><c>g · (Φ(x) + x·φ(x))</c>, erf and the Gaussian density recomputed in the same pass.</summary>
    public readonly struct GeluBackward : IPointwiseOperator
    {
        public static float Invoke(float x, float g)
        {
            float pdf = InvSqrtTwoPi * FastExp.Scalar(-0.5f * x * x);
            return g * MathF.FusedMultiplyAdd(x, pdf, NormalCdf(x));
        }

        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g)
        {
            var pdf = Vector512.Create(InvSqrtTwoPi) * FastExp.Vector(Vector512.Create(-0.5f) * x * x);
            return g * Vector512.FusedMultiplyAdd(x, pdf, NormalCdf(x));
        }

        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g)
        {
            var pdf = Vector256.Create(InvSqrtTwoPi) * FastExp.Vector(Vector256.Create(-0.5f) * x * x);
            return g * Vector256.FusedMultiplyAdd(x, pdf, NormalCdf(x));
        }
    }

    /// <summary>
    /// Φ(x) = ½(1 + erf(z)), z = x/√2. Where erf's tail piece applies, Φ is taken from erfc directly
    /// (<c>½·erfc(|z|)</c> for negative x, <c>1 − ½·erfc(z)</c> for positive), which also keeps the
    /// relative accuracy of GELU's small negative outputs.
    /// </summary>
    public static float NormalCdf(float x)
    {
        float z = x * SqrtHalf;
        float a = MathF.Abs(z);
        if (a < Erf.SmallLimit || float.IsNaN(z))
            return MathF.FusedMultiplyAdd(0.5f, MathF.FusedMultiplyAdd(z, Erf.SmallPoly(z * z), z), 0.5f);
        float halfE = 0.5f * Erf.TailScalar(a);
        return z > 0f ? 1f - halfE : halfE;
    }

    /// <inheritdoc cref="NormalCdf(float)"/>
    public static Vector512<float> NormalCdf(Vector512<float> x)
    {
        var half = Vector512.Create(0.5f);
        var z = x * Vector512.Create(SqrtHalf);
        var near = Vector512.FusedMultiplyAdd(half, Vector512.FusedMultiplyAdd(z, Erf.SmallPoly(z * z), z), half);
        var a = Vector512.Abs(z);
        if (Vector512.LessThanAll(a, Vector512.Create(Erf.SmallLimit))) return near;
        var halfE = half * Erf.TailVector(a);
        var far = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero), Vector512<float>.One - halfE, halfE);
        // NaN lanes compare false, so they keep `near` (NaN), as the scalar form does.
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(Erf.SmallLimit)), far, near);
    }

    /// <inheritdoc cref="NormalCdf(float)"/>
    public static Vector256<float> NormalCdf(Vector256<float> x)
    {
        var half = Vector256.Create(0.5f);
        var z = x * Vector256.Create(SqrtHalf);
        var near = Vector256.FusedMultiplyAdd(half, Vector256.FusedMultiplyAdd(z, Erf.SmallPoly(z * z), z), half);
        var a = Vector256.Abs(z);
        if (Vector256.LessThanAll(a, Vector256.Create(Erf.SmallLimit))) return near;
        var halfE = half * Erf.TailVector(a);
        var far = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), Vector256<float>.One - halfE, halfE);
        // NaN lanes compare false, so they keep `near` (NaN), as the scalar form does.
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(Erf.SmallLimit)), far, near);
    }

    /// <summary>SiLU: <c>x / (1 + e^−x)</c>.</summary>
    public readonly struct SiluForward : IPointwiseOperator
    {
        public static float Invoke(float x, float g) => x / (1f + FastExp.Scalar(-x));
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => x / (Vector512<float>.One + FastExp.Vector(-x));
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => x / (Vector256<float>.One + FastExp.Vector(-x));
    }

    /// <summary><c>g · s · (1 + x·(1 − s))</c> with <c>s = σ(x)</c>.</summary>
    public readonly struct SiluBackward : IPointwiseOperator
    {
        public static float Invoke(float x, float g)
        {
            float s = 1f / (1f + FastExp.Scalar(-x));
            return g * s * (1f + x * (1f - s));
        }

        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g)
        {
            var one = Vector512<float>.One;
            var s = one / (one + FastExp.Vector(-x));
            return g * s * (one + x * (one - s));
        }

        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g)
        {
            var one = Vector256<float>.One;
            var s = one / (one + FastExp.Vector(-x));
            return g * s * (one + x * (one - s));
        }
    }

    /// <summary><c>g</c> where <c>x &gt; 0</c>, else 0 (PyTorch's threshold_backward).</summary>
    public readonly struct ReluBackward : IPointwiseOperator
    {
        public static float Invoke(float x, float g) => x > 0f ? g : 0f;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256<float>.Zero);
    }

    /// <summary><c>g</c> where <c>0 &lt; x &lt; 6</c>, else 0 (PyTorch's hardtanh_backward).</summary>
    public readonly struct Relu6Backward : IPointwiseOperator
    {
        public static float Invoke(float x, float g) => x > 0f && x < 6f ? g : 0f;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
            Vector512.ConditionalSelect(
                Vector512.GreaterThan(x, Vector512<float>.Zero) & Vector512.LessThan(x, Vector512.Create(6f)),
                g, Vector512<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
            Vector256.ConditionalSelect(
                Vector256.GreaterThan(x, Vector256<float>.Zero) & Vector256.LessThan(x, Vector256.Create(6f)),
                g, Vector256<float>.Zero);
    }

    /// <summary><c>g · y · (1 − y)</c> from the saved output <c>y = σ(x)</c>.</summary>
    public readonly struct SigmoidBackward : IPointwiseOperator
    {
        public static float Invoke(float y, float g) => g * (1f - y) * y;
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y) * y;
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y) * y;
    }

    /// <summary><c>g · (1 − y²)</c> from the saved output <c>y = tanh(x)</c>.</summary>
    public readonly struct TanhBackward : IPointwiseOperator
    {
        public static float Invoke(float y, float g) => g * (1f - y * y);
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y * y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y * y);
    }
}
