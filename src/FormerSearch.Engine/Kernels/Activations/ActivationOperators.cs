using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// Forward and backward of each activation as element-wise operators for <see cref="Pointwise"/>. Forward
/// operators ignore their second input; backward ones take the saved input <c>x</c> (or output <c>y</c>) and the
/// output gradient <c>g</c> and return the input gradient. Formulas and masks follow PyTorch's kernels. Where a
/// vector form is more than one expression it is written once, generic over the width (<see cref="ISimd{TVector}"/>).
/// </summary>
internal static class ActivationOperators
{
    private const float SqrtHalf = 0.70710678118654752f;        // 1/√2
    private const float InvSqrtTwoPi = 0.39894228040143268f;    // 1/√(2π)

    /// <summary>GELU, erf form: <c>x · Φ(x)</c> with <c>Φ(x) = ½ · (1 + erf(x/√2))</c>.</summary>
    public readonly struct GeluForward : IBinaryOperator
    {
        public static float Invoke(float x, float g) => x * NormalCdf(x);
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => x * NormalCdf(x);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => x * NormalCdf(x);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => x * NormalCdf(x);
    }

    /// <summary><c>g · (Φ(x) + x·φ(x))</c>, erf and the Gaussian density recomputed in the same pass.</summary>
    public readonly struct GeluBackward : IBinaryOperator
    {
        public static float Invoke(float x, float g)
        {
            float pdf = InvSqrtTwoPi * FastExp.Scalar(-0.5f * x * x);
            return g * MathF.FusedMultiplyAdd(x, pdf, NormalCdf(x));
        }

        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => Lanes<Vector128<float>, Simd128>(x, g);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Lanes<Vector256<float>, Simd256>(x, g);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Lanes<Vector512<float>, Simd512>(x, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Lanes<TVector, TSimd>(TVector x, TVector g) where TVector : struct where TSimd : ISimd<TVector>
        {
            var pdf = TSimd.Multiply(TSimd.Create(InvSqrtTwoPi), FastExp.Vector<TVector, TSimd>(TSimd.Multiply(TSimd.Multiply(TSimd.Create(-0.5f), x), x)));
            return TSimd.Multiply(g, TSimd.FusedMultiplyAdd(x, pdf, NormalCdf<TVector, TSimd>(x)));
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
    public static Vector128<float> NormalCdf(Vector128<float> x) => NormalCdf<Vector128<float>, Simd128>(x);

    /// <inheritdoc cref="NormalCdf(float)"/>
    public static Vector256<float> NormalCdf(Vector256<float> x) => NormalCdf<Vector256<float>, Simd256>(x);

    /// <inheritdoc cref="NormalCdf(float)"/>
    public static Vector512<float> NormalCdf(Vector512<float> x) => NormalCdf<Vector512<float>, Simd512>(x);

    /// <inheritdoc cref="NormalCdf(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector NormalCdf<TVector, TSimd>(TVector x) where TVector : struct where TSimd : ISimd<TVector>
    {
        var half = TSimd.Create(0.5f);
        var z = TSimd.Multiply(x, TSimd.Create(SqrtHalf));
        var near = TSimd.FusedMultiplyAdd(half, TSimd.FusedMultiplyAdd(z, Erf.SmallPoly<TVector, TSimd>(TSimd.Multiply(z, z)), z), half);
        var a = TSimd.Abs(z);
        if (TSimd.LessThanAll(a, TSimd.Create(Erf.SmallLimit))) return near;
        var halfE = TSimd.Multiply(half, Erf.TailVector<TVector, TSimd>(a));
        var far = TSimd.ConditionalSelect(TSimd.GreaterThan(z, TSimd.Zero), TSimd.Subtract(TSimd.One, halfE), halfE);
        // NaN lanes compare false, so they keep `near` (NaN), as the scalar form does.
        return TSimd.ConditionalSelect(TSimd.GreaterThanOrEqual(a, TSimd.Create(Erf.SmallLimit)), far, near);
    }

    /// <summary>SiLU: <c>x / (1 + e^−x)</c>.</summary>
    public readonly struct SiluForward : IBinaryOperator
    {
        public static float Invoke(float x, float g) => x / (1f + FastExp.Scalar(-x));
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => x / (Vector128<float>.One + FastExp.Vector(-x));
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => x / (Vector256<float>.One + FastExp.Vector(-x));
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => x / (Vector512<float>.One + FastExp.Vector(-x));
    }

    /// <summary><c>g · s · (1 + x·(1 − s))</c> with <c>s = σ(x)</c>.</summary>
    public readonly struct SiluBackward : IBinaryOperator
    {
        public static float Invoke(float x, float g)
        {
            float s = 1f / (1f + FastExp.Scalar(-x));
            return g * s * (1f + x * (1f - s));
        }

        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => Lanes<Vector128<float>, Simd128>(x, g);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Lanes<Vector256<float>, Simd256>(x, g);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Lanes<Vector512<float>, Simd512>(x, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Lanes<TVector, TSimd>(TVector x, TVector g) where TVector : struct where TSimd : ISimd<TVector>
        {
            var one = TSimd.One;
            var s = TSimd.Divide(one, TSimd.Add(one, FastExp.Vector<TVector, TSimd>(TSimd.Negate(x))));
            return TSimd.Multiply(TSimd.Multiply(g, s), TSimd.Add(one, TSimd.Multiply(x, TSimd.Subtract(one, s))));
        }
    }

    /// <summary><c>g</c> where <c>x &gt; 0</c>, else 0 (PyTorch's threshold_backward).</summary>
    public readonly struct ReluBackward : IBinaryOperator
    {
        public static float Invoke(float x, float g) => x > 0f ? g : 0f;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), g, Vector128<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256<float>.Zero);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512<float>.Zero);
    }

    /// <summary><c>g</c> where <c>0 &lt; x &lt; 6</c>, else 0 (PyTorch's hardtanh_backward).</summary>
    public readonly struct Relu6Backward : IBinaryOperator
    {
        public static float Invoke(float x, float g) => x > 0f && x < 6f ? g : 0f;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => Lanes<Vector128<float>, Simd128>(x, g);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Lanes<Vector256<float>, Simd256>(x, g);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Lanes<Vector512<float>, Simd512>(x, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Lanes<TVector, TSimd>(TVector x, TVector g) where TVector : struct where TSimd : ISimd<TVector> =>
            TSimd.ConditionalSelect(TSimd.And(TSimd.GreaterThan(x, TSimd.Zero), TSimd.LessThan(x, TSimd.Create(6f))), g, TSimd.Zero);
    }

    /// <summary><c>g · y · (1 − y)</c> from the saved output <c>y = σ(x)</c>.</summary>
    public readonly struct SigmoidBackward : IBinaryOperator
    {
        public static float Invoke(float y, float g) => g * (1f - y) * y;
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> g) => g * (Vector128<float>.One - y) * y;
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y) * y;
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y) * y;
    }

    /// <summary><c>g · (1 − y²)</c> from the saved output <c>y = tanh(x)</c>.</summary>
    public readonly struct TanhBackward : IBinaryOperator
    {
        public static float Invoke(float y, float g) => g * (1f - y * y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> g) => g * (Vector128<float>.One - y * y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y * y);
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y * y);
    }
}
