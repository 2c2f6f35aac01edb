using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// The error function in float32, within about one ulp of the exactly rounded value, built from two
/// cheap pieces instead of fdlibm's four rationals (which cost a division per piece and, in vector
/// form, a blend per coefficient):
/// <list type="bullet">
/// <item><c>|x| &lt; 0.921875</c>: <c>erf(x) = x + x·P(x²)</c>, P of degree 5;</item>
/// <item><c>0.921875 ≤ |x| &lt; 3.9375</c>: <c>erf(|x|) = 1 − erfc(|x|)</c> with
/// <c>erfc(a) = exp(−a² + Q(a − 2.375))</c>, Q of degree 6 fitting <c>log erfc(a) + a²</c> (smooth,
/// nearly linear); <c>−a² + Q</c> is one fused multiply-add, so the rounding of <c>a²</c> costs nothing;</item>
/// <item>beyond: ±1 (<c>erfc(3.9375) ≈ 2.6e−8</c> is below half an ulp of 1).</item>
/// </list>
/// P and Q are weighted least-squares fits (relative error for P, error in erf for Q) made in float64
/// and checked in float32 against float64 erf. Vector lanes all below 0.921875 — typical activations
/// — take the polynomial alone; otherwise both pieces are evaluated and each lane picks its own, so a
/// lane's result never depends on its neighbours. <see cref="Scalar"/> performs the same operations.
/// </summary>
internal static class Erf
{
    /// <summary>Below this |x| the polynomial piece applies.</summary>
    public const float SmallLimit = 0.921875f;
    /// <summary>From this |x| on, erf is ±1 in float32.</summary>
    public const float SaturationLimit = 3.9375f;
    private const float TailCentre = 2.375f;

    private const float P0 = 0.12837915122509003f, P1 = -0.37612491846084595f, P2 = 0.1128179281949997f,
        P3 = -0.026765860617160797f, P4 = 0.004992180969566107f, P5 = -0.0005986208561807871f;
    private const float Q0 = -1.5118335485458374f, Q1 = -0.3672471046447754f, Q2 = 0.06037690490484238f,
        Q3 = -0.011931540444493294f, Q4 = 0.002668730216100812f, Q5 = -0.00025080839986912906f, Q6 = 0.00019589264411479235f;

    /// <summary>erf(<paramref name="x"/>); NaN stays NaN, ±∞ gives ±1.</summary>
    public static float Scalar(float x)
    {
        if (float.IsNaN(x)) return x;
        float a = MathF.Abs(x);
        if (a < SmallLimit) return MathF.FusedMultiplyAdd(x, SmallPoly(x * x), x);
        float y = a < SaturationLimit ? 1f - TailScalar(a) : 1f;
        return MathF.CopySign(y, x);
    }

    /// <summary>erf on four lanes (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Vector(Vector128<float> x) => Vector<Vector128<float>, Simd128>(x);

    /// <summary>erf on eight lanes (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x) => Vector<Vector256<float>, Simd256>(x);

    /// <summary>erf on sixteen lanes (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x) => Vector<Vector512<float>, Simd512>(x);

    /// <summary>erf at any width (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Vector<TVector, TSimd>(TVector x) where TVector : struct where TSimd : ISimd<TVector>
    {
        var near = TSimd.FusedMultiplyAdd(x, SmallPoly<TVector, TSimd>(TSimd.Multiply(x, x)), x);
        var a = TSimd.Abs(x);
        if (TSimd.LessThanAll(a, TSimd.Create(SmallLimit))) return near;
        var far = TSimd.Subtract(TSimd.One, TailVector<TVector, TSimd>(a));
        far = TSimd.Or(far, TSimd.And(x, TSimd.Create(-0f)));
        var y = TSimd.ConditionalSelect(TSimd.LessThan(a, TSimd.Create(SmallLimit)), near, far);
        // NaN lanes failed every comparison: give them back their NaN.
        return TSimd.ConditionalSelect(TSimd.CompareEqual(x, x), y, x);
    }

    /// <summary>P(u) with <c>erf(x) = x + x·P(x²)</c> for |x| below <see cref="SmallLimit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SmallPoly(float u)
    {
        float p = MathF.FusedMultiplyAdd(P5, u, P4);
        p = MathF.FusedMultiplyAdd(p, u, P3);
        p = MathF.FusedMultiplyAdd(p, u, P2);
        p = MathF.FusedMultiplyAdd(p, u, P1);
        return MathF.FusedMultiplyAdd(p, u, P0);
    }

    /// <inheritdoc cref="SmallPoly(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector SmallPoly<TVector, TSimd>(TVector u) where TVector : struct where TSimd : ISimd<TVector>
    {
        var p = TSimd.FusedMultiplyAdd(TSimd.Create(P5), u, TSimd.Create(P4));
        p = TSimd.FusedMultiplyAdd(p, u, TSimd.Create(P3));
        p = TSimd.FusedMultiplyAdd(p, u, TSimd.Create(P2));
        p = TSimd.FusedMultiplyAdd(p, u, TSimd.Create(P1));
        return TSimd.FusedMultiplyAdd(p, u, TSimd.Create(P0));
    }

    /// <summary>
    /// erfc(<paramref name="a"/>) for <c>SmallLimit ≤ a &lt; SaturationLimit</c>; 0 from
    /// <see cref="SaturationLimit"/> on (and meaningless below <see cref="SmallLimit"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float TailScalar(float a)
    {
        if (a >= SaturationLimit) return 0f;
        float s = a - TailCentre;
        float q = MathF.FusedMultiplyAdd(Q6, s, Q5);
        q = MathF.FusedMultiplyAdd(q, s, Q4);
        q = MathF.FusedMultiplyAdd(q, s, Q3);
        q = MathF.FusedMultiplyAdd(q, s, Q2);
        q = MathF.FusedMultiplyAdd(q, s, Q1);
        q = MathF.FusedMultiplyAdd(q, s, Q0);
        return FastExp.Scalar(MathF.FusedMultiplyAdd(-a, a, q));
    }

    /// <inheritdoc cref="TailScalar(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector TailVector<TVector, TSimd>(TVector a) where TVector : struct where TSimd : ISimd<TVector>
    {
        var s = TSimd.Subtract(a, TSimd.Create(TailCentre));
        var q = TSimd.FusedMultiplyAdd(TSimd.Create(Q6), s, TSimd.Create(Q5));
        q = TSimd.FusedMultiplyAdd(q, s, TSimd.Create(Q4));
        q = TSimd.FusedMultiplyAdd(q, s, TSimd.Create(Q3));
        q = TSimd.FusedMultiplyAdd(q, s, TSimd.Create(Q2));
        q = TSimd.FusedMultiplyAdd(q, s, TSimd.Create(Q1));
        q = TSimd.FusedMultiplyAdd(q, s, TSimd.Create(Q0));
        var e = FastExp.Vector<TVector, TSimd>(TSimd.FusedMultiplyAdd(TSimd.Negate(a), a, q));
        return TSimd.ConditionalSelect(TSimd.LessThan(a, TSimd.Create(SaturationLimit)), e, TSimd.Zero);
    }

    /// <summary><c>destination[i] = erf(source[i])</c>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the source.</exception>
    public static void Compute(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"The destination ({destination.Length}) is shorter than the source ({source.Length}).", nameof(destination));
        Pointwise.Run<Operator>(source, source, destination[..source.Length], accumulate: false);
    }

    /// <summary>erf as an element-wise operator (its second input is ignored).</summary>
    public readonly struct Operator : IBinaryOperator
    {
        public static float Invoke(float x, float y) => Scalar(x);
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector(x);
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector(x);
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector(x);
    }
}
