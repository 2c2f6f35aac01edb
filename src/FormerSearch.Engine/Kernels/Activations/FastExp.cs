using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// <c>e^x</c> in float32 to about one ulp, for the exponentials inside erf and the Gaussian density.
/// Cephes' <c>expf</c> scheme: <c>x = n·ln2 + r</c> with <c>|r| ≤ ln2/2</c> (Cody–Waite split of ln2),
/// a degree-7 polynomial for <c>e^r</c>, and <c>2^n</c> built in the exponent bits. It stays in float32
/// (the runtime's <c>Vector512.Exp</c> widens to double, about three times the cost). Below −87 the
/// result is 0 (so <c>e^−∞ = 0</c>, as a masked softmax needs), above 88 it saturates at <c>e^88</c>
/// (callers never go there), and NaN stays NaN. The scalar form performs the same operations, so both
/// give the same bits.
/// </summary>
internal static class FastExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float Lo = -87f, Hi = 88f;
    // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits.
    private const float RoundMagic = 12582912f;
    private const int RoundMagicBits = 0x4B400000;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary><c>e^x</c>: 0 below −87, <c>e^88</c> above 88, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(float x)
    {
        if (x < Lo) return 0f;
        x = MathF.Min(x, Hi);
        float t = MathF.FusedMultiplyAdd(x, Log2E, RoundMagic);
        float n = t - RoundMagic;
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        int bits = BitConverter.SingleToInt32Bits(t) - RoundMagicBits;
        return p * BitConverter.Int32BitsToSingle((bits + 127) << 23);
    }

    /// <summary>The 4-lane form of <see cref="Scalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Vector(Vector128<float> x) => Vector<Vector128<float>, Simd128>(x);

    /// <summary>The 8-lane form of <see cref="Scalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x) => Vector<Vector256<float>, Simd256>(x);

    /// <summary>The 16-lane form of <see cref="Scalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x) => Vector<Vector512<float>, Simd512>(x);

    /// <summary><see cref="Scalar"/> lane by lane at any width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Vector<TVector, TSimd>(TVector x) where TVector : struct where TSimd : ISimd<TVector>
    {
        var underflow = TSimd.LessThan(x, TSimd.Create(Lo));
        x = TSimd.Clamp(x, TSimd.Create(Lo), TSimd.Create(Hi));
        var t = TSimd.FusedMultiplyAdd(x, TSimd.Create(Log2E), TSimd.Create(RoundMagic));
        var n = TSimd.Subtract(t, TSimd.Create(RoundMagic));
        var r = TSimd.FusedMultiplyAdd(n, TSimd.Create(-Ln2Hi), x);
        r = TSimd.FusedMultiplyAdd(n, TSimd.Create(-Ln2Lo), r);
        var p = TSimd.FusedMultiplyAdd(TSimd.Create(P0), r, TSimd.Create(P1));
        p = TSimd.FusedMultiplyAdd(p, r, TSimd.Create(P2));
        p = TSimd.FusedMultiplyAdd(p, r, TSimd.Create(P3));
        p = TSimd.FusedMultiplyAdd(p, r, TSimd.Create(P4));
        p = TSimd.FusedMultiplyAdd(p, r, TSimd.Create(P5));
        p = TSimd.Add(TSimd.FusedMultiplyAdd(p, TSimd.Multiply(r, r), r), TSimd.One);
        return TSimd.ConditionalSelect(underflow, TSimd.Zero, TSimd.Multiply(p, TSimd.PowerOfTwo(t, RoundMagicBits)));
    }
}
