using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// The error function in float32, accurate to about one ulp: fdlibm's <c>erff</c> (rational
/// approximations on [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 6) and 1 beyond; the
/// coefficients are Sun Microsystems' from <c>s_erff.c</c>, "Copyright (C) 1993 by Sun Microsystems,
/// Inc. Permission to use, copy, modify, and distribute this software is freely granted, provided
/// that this notice is preserved."). The short Abramowitz–Stegun formulas are off by ~1e-7 absolute,
/// which is too coarse for GELU near 0 where erf is small. The vector form selects each lane's
/// branch coefficients instead of branching.
/// </summary>
internal static class Erf
{
    private const float Erx = 8.4506291151e-01f;
    private const float Pp0 = 1.2837916613e-01f, Pp1 = -3.2504209876e-01f, Pp2 = -2.8481749818e-02f, Pp3 = -5.7702702470e-03f, Pp4 = -2.3763017452e-05f;
    private const float Qq1 = 3.9791721106e-01f, Qq2 = 6.5022252500e-02f, Qq3 = 5.0813062117e-03f, Qq4 = 1.3249473704e-04f, Qq5 = -3.9602282413e-06f;
    private const float Pa0 = -2.3621185683e-03f, Pa1 = 4.1485610604e-01f, Pa2 = -3.7220788002e-01f, Pa3 = 3.1834661961e-01f, Pa4 = -1.1089469492e-01f, Pa5 = 3.5478305072e-02f, Pa6 = -2.1663755178e-03f;
    private const float Qa1 = 1.0642088205e-01f, Qa2 = 5.4039794207e-01f, Qa3 = 7.1828655899e-02f, Qa4 = 1.2617121637e-01f, Qa5 = 1.3637083583e-02f, Qa6 = 1.1984500103e-02f;
    private const float Ra0 = -9.8649440333e-03f, Ra1 = -6.9385856390e-01f, Ra2 = -1.0558626175e+01f, Ra3 = -6.2375331879e+01f, Ra4 = -1.6239666748e+02f, Ra5 = -1.8460508728e+02f, Ra6 = -8.1287437439e+01f, Ra7 = -9.8143291473e+00f;
    private const float Sa1 = 1.9651271820e+01f, Sa2 = 1.3765776062e+02f, Sa3 = 4.3456588745e+02f, Sa4 = 6.4538726807e+02f, Sa5 = 4.2900814819e+02f, Sa6 = 1.0863500214e+02f, Sa7 = 6.5702495575e+00f, Sa8 = -6.0424413532e-02f;
    private const float Rb0 = -9.8649431020e-03f, Rb1 = -7.9928326607e-01f, Rb2 = -1.7757955551e+01f, Rb3 = -1.6063638306e+02f, Rb4 = -6.3756646729e+02f, Rb5 = -1.0250950928e+03f, Rb6 = -4.8351919556e+02f;
    private const float Sb1 = 3.0338060379e+01f, Sb2 = 3.2579251099e+02f, Sb3 = 1.5367296143e+03f, Sb4 = 3.1998581543e+03f, Sb5 = 2.5530502930e+03f, Sb6 = 4.7452853394e+02f, Sb7 = -2.2440952301e+01f;

    // Branch boundaries as |x|.
    private const float SmallLimit = 0.84375f, MidLimit = 1.25f, TailSplit = 1f / 0.35f, SaturationLimit = 6f;

    /// <summary>erf(<paramref name="x"/>); NaN stays NaN, ±∞ gives ±1.</summary>
    public static float Scalar(float x)
    {
        float ax = MathF.Abs(x);
        if (float.IsNaN(x)) return x;
        float y;
        if (ax < SmallLimit)
        {
            float z = ax * ax;
            float r = Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)));
            float s = 1f + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5))));
            y = ax + ax * (r / s);
        }
        else if (ax < MidLimit)
        {
            float s = ax - 1f;
            float p = Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))));
            float q = 1f + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6)))));
            y = Erx + p / q;
        }
        else if (ax < SaturationLimit)
        {
            float s = 1f / (ax * ax);
            float r, q;
            if (ax < TailSplit)
            {
                r = Ra0 + s * (Ra1 + s * (Ra2 + s * (Ra3 + s * (Ra4 + s * (Ra5 + s * (Ra6 + s * Ra7))))));
                q = 1f + s * (Sa1 + s * (Sa2 + s * (Sa3 + s * (Sa4 + s * (Sa5 + s * (Sa6 + s * (Sa7 + s * Sa8)))))));
            }
            else
            {
                r = Rb0 + s * (Rb1 + s * (Rb2 + s * (Rb3 + s * (Rb4 + s * (Rb5 + s * Rb6)))));
                q = 1f + s * (Sb1 + s * (Sb2 + s * (Sb3 + s * (Sb4 + s * (Sb5 + s * (Sb6 + s * Sb7))))));
            }
            // exp(−x²) split as exp(−z²)·exp((z−x)(z+x)) with z = x rounded to 12 mantissa bits,
            // so that the large part is exact and the rounding of x² does not cost accuracy.
            float zz = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(ax) & unchecked((int)0xfffff000));
            float e = MathF.Exp(-zz * zz - 0.5625f) * MathF.Exp((zz - ax) * (zz + ax) + r / q);
            y = 1f - e / ax;
        }
        else
        {
            y = 1f;
        }
        return MathF.CopySign(y, x);
    }

    /// <summary>
    /// erf on sixteen lanes. Each lane picks its branch's coefficients (a blend per Horner step, cheaper
    /// than evaluating every branch): the two rationals below 1.25 share one numerator/denominator pair
    /// and one division, the two tail rationals another. The tail needs one exponential, not fdlibm's
    /// two: its result is <c>1 − e/|x|</c> with <c>e/|x| ≤ 0.08</c>, so the rounding of <c>x²</c>
    /// inside <c>e</c> moves the result by well under half an ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var one = Vector512<float>.One;

        // |x| < 1.25: small lanes use z = x² and fdlibm's pp/qq (padded with zeros), mid lanes s = |x| − 1 and pa/qa.
        var small = Vector512.LessThan(ax, Vector512.Create(SmallLimit));
        var v = Vector512.ConditionalSelect(small, ax * ax, ax - one);
        var num = Pick(small, 0f, Pa6);
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, 0f, Pa5));
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, Pp4, Pa4));
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, Pp3, Pa3));
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, Pp2, Pa2));
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, Pp1, Pa1));
        num = Vector512.FusedMultiplyAdd(num, v, Pick(small, Pp0, Pa0));
        var den = Pick(small, 0f, Qa6);
        den = Vector512.FusedMultiplyAdd(den, v, Pick(small, Qq5, Qa5));
        den = Vector512.FusedMultiplyAdd(den, v, Pick(small, Qq4, Qa4));
        den = Vector512.FusedMultiplyAdd(den, v, Pick(small, Qq3, Qa3));
        den = Vector512.FusedMultiplyAdd(den, v, Pick(small, Qq2, Qa2));
        den = Vector512.FusedMultiplyAdd(den, v, Pick(small, Qq1, Qa1));
        den = Vector512.FusedMultiplyAdd(den, v, one);
        var ratio = num / den;
        // small: |x| + |x|·ratio ; mid: erx + ratio
        var near = Vector512.FusedMultiplyAdd(
            Vector512.ConditionalSelect(small, ax, one), ratio,
            Vector512.ConditionalSelect(small, ax, Vector512.Create(Erx)));

        // 1.25 <= |x| < 6: w = 1/x², lower-tail (ra/sa) or upper-tail (rb/sb, padded) coefficients.
        var lower = Vector512.LessThan(ax, Vector512.Create(TailSplit));
        var x2 = ax * ax;
        var w = one / x2;
        var r = Pick(lower, Ra7, 0f);
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra6, Rb6));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra5, Rb5));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra4, Rb4));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra3, Rb3));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra2, Rb2));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra1, Rb1));
        r = Vector512.FusedMultiplyAdd(r, w, Pick(lower, Ra0, Rb0));
        var q = Pick(lower, Sa8, 0f);
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa7, Sb7));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa6, Sb6));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa5, Sb5));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa4, Sb4));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa3, Sb3));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa2, Sb2));
        q = Vector512.FusedMultiplyAdd(q, w, Pick(lower, Sa1, Sb1));
        q = Vector512.FusedMultiplyAdd(q, w, one);
        // e = exp(−x² − 0.5625 + R/S), with −x² + (R/S − 0.5625) in one rounding.
        var e = Vector512.Exp(Vector512.FusedMultiplyAdd(-ax, ax, r / q - Vector512.Create(0.5625f)));
        var tail = one - e / ax;

        var y = near;
        y = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(ax, Vector512.Create(MidLimit)), tail, y);
        y = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(ax, Vector512.Create(SaturationLimit)), one, y);
        // Copy the sign of x (NaN lanes compared false everywhere and kept the NaN of the first branch).
        var signBit = Vector512.Create(-0f);
        return (y & ~signBit) | (x & signBit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pick(Vector512<float> mask, float ifTrue, float ifFalse) =>
        Vector512.ConditionalSelect(mask, Vector512.Create(ifTrue), Vector512.Create(ifFalse));

    /// <summary><c>destination[i] = erf(source[i])</c>.</summary>
    public static void Compute(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"The destination ({destination.Length}) is shorter than the source ({source.Length}).", nameof(destination));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
            ref float dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.StoreUnsafe(Vector(Vector512.LoadUnsafe(ref src, (nuint)i)), ref dst, (nuint)i);
        }
        for (; i < source.Length; i++) destination[i] = Scalar(source[i]);
    }
}
