using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>erf on sixteen lanes (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x)
    {
        var near = Vector512.FusedMultiplyAdd(x, SmallPoly(x * x), x);
        var a = Vector512.Abs(x);
        if (Vector512.LessThanAll(a, Vector512.Create(SmallLimit))) return near;
        var far = Vector512<float>.One - TailVector(a);
        var signBit = Vector512.Create(-0f);
        far = far | (x & signBit);
        var y = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SmallLimit)), near, far);
        // NaN lanes failed every comparison: give them back their NaN.
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    /// <summary>erf on eight lanes (AVX2) (same operations as <see cref="Scalar"/>, lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x)
    {
        var near = Vector256.FusedMultiplyAdd(x, SmallPoly(x * x), x);
        var a = Vector256.Abs(x);
        if (Vector256.LessThanAll(a, Vector256.Create(SmallLimit))) return near;
        var far = Vector256<float>.One - TailVector(a);
        var signBit = Vector256.Create(-0f);
        far = far | (x & signBit);
        var y = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SmallLimit)), near, far);
        // NaN lanes failed every comparison: give them back their NaN.
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
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
    public static Vector512<float> SmallPoly(Vector512<float> u)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P5), u, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(P1));
        return Vector512.FusedMultiplyAdd(p, u, Vector512.Create(P0));
    }

    /// <inheritdoc cref="SmallPoly(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SmallPoly(Vector256<float> u)
    {
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P5), u, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(P1));
        return Vector256.FusedMultiplyAdd(p, u, Vector256.Create(P0));
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
    public static Vector512<float> TailVector(Vector512<float> a)
    {
        var s = a - Vector512.Create(TailCentre);
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(Q6), s, Vector512.Create(Q5));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(Q4));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(Q3));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(Q2));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(Q1));
        q = Vector512.FusedMultiplyAdd(q, s, Vector512.Create(Q0));
        var e = FastExp.Vector(Vector512.FusedMultiplyAdd(-a, a, q));
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SaturationLimit)), e, Vector512<float>.Zero);
    }

    /// <inheritdoc cref="TailScalar(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> TailVector(Vector256<float> a)
    {
        var s = a - Vector256.Create(TailCentre);
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(Q6), s, Vector256.Create(Q5));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q4));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q3));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q2));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q1));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q0));
        var e = FastExp.Vector(Vector256.FusedMultiplyAdd(-a, a, q));
        return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SaturationLimit)), e, Vector256<float>.Zero);
    }

    /// <summary><c>destination[i] = erf(source[i])</c>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the source.</exception>
    public static void Compute(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"The destination ({destination.Length}) is shorter than the source ({source.Length}).", nameof(destination));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.StoreUnsafe(Vector(Vector512.LoadUnsafe(ref src, (nuint)i)), ref dst, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ref float src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.StoreUnsafe(Vector(Vector256.LoadUnsafe(ref src, (nuint)i)), ref dst, (nuint)i);
        }
        for (; i < source.Length; i++) destination[i] = Scalar(source[i]);
    }
}
